import os
import sys

TRAINING_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_DATA = os.path.join(TRAINING_DIR, "tests", "data")
sys.path.insert(0, TRAINING_DIR)
