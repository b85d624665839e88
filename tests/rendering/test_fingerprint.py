"""The input fingerprint decides what a run renders: it must be the same in every process."""

import os
import subprocess
import sys
from pathlib import Path

from rendering.listing import input_fingerprint
from rendering.profiles import load_profile
from tests.rendering.listing_products import catalogue_product

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
from rendering.profiles import load_profile
from rendering.listing import input_fingerprint
from tests.rendering.listing_products import catalogue_product
print(input_fingerprint(catalogue_product(), load_profile("lazada")))
"""


def _fingerprint_in_a_new_process(hash_seed: str) -> str:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_fingerprint_does_not_depend_on_the_process():
    here = input_fingerprint(catalogue_product(), load_profile("lazada"))
    assert _fingerprint_in_a_new_process("1") == _fingerprint_in_a_new_process("2") == here


def test_any_change_to_the_product_changes_the_fingerprint():
    profile = load_profile("lazada")
    assert input_fingerprint(catalogue_product(), profile) != input_fingerprint(catalogue_product(stock=41), profile)


def test_a_photo_replaced_at_the_same_path_changes_the_fingerprint(tmp_path):
    photo = tmp_path / "cover.jpg"
    profile = load_profile("lazada")
    missing = input_fingerprint(catalogue_product(images=(str(photo),)), profile)
    photo.write_bytes(b"first")
    first = input_fingerprint(catalogue_product(images=(str(photo),)), profile)
    photo.write_bytes(b"second photo")
    assert len({missing, first, input_fingerprint(catalogue_product(images=(str(photo),)), profile)}) == 3
