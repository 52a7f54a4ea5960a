#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder image
# (Ubuntu 22.04 or later): the same packages a student's machine gets.
set -eu
cd /autograder/source
sh tools/deps.sh
