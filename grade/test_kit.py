"""Self-checks of the kit itself (run by `make test`, never graded): the
harness must recognise every way a run can go wrong, and the build must
embed the user programs intact."""
import re
import struct

from harness import BUILD, EXIT_SUCCESS, nonce, run


def test_boot_echoes_nonce():
    n = nonce()
    result = run("kit-boot", {"test": "boot", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "boot")
    assert f"boot {n:x}" in result.output


def test_embedded_program_matches_build():
    image = (BUILD / "user" / "hello").read_bytes()
    entry = struct.unpack_from("<Q", image, 24)[0]
    n = nonce()
    result = run("kit-embed", {"test": "embed", "prog": "hello", "nonce": hex(n)})
    result.expect_status(EXIT_SUCCESS, "embed")
    assert re.search(rf"^embed {n:x} hello size {len(image)} entry {entry:x}$",
                     result.output, re.M), result.output


def test_triple_fault_is_reported():
    result = run("kit-triple-fault", {"test": "triple-fault"})
    assert result.reason == "triple fault", result.describe()
    assert "breakpoint" in result.diagnosis and "double fault" in result.diagnosis


def test_hang_times_out():
    result = run("kit-hang", {"test": "hang"}, timeout=3)
    assert result.reason.startswith("timeout"), result.describe()


def test_output_flood_is_cut_off():
    result = run("kit-flood", {"test": "flood"})
    assert result.reason.startswith("output flood"), result.describe()
