#!/bin/sh
# Prints a python3 that can import the grader's modules. The first python3
# on PATH may be a private build without Debian's packages, so try the
# candidates in turn rather than trusting PATH.
for py in python3 /usr/bin/python3 /usr/local/bin/python3 $(ls /usr/bin/python3.[0-9]* 2>/dev/null); do
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import pytest, xdist, pytest_timeout' >/dev/null 2>&1; then
        command -v "$py"
        exit 0
    fi
done
echo "no python3 with pytest, pytest-xdist and pytest-timeout; run tools/deps.sh" >&2
exit 1
