import os

from hypothesis import HealthCheck, settings

# Property tests draw the same examples on every run, so a CI failure reproduces locally.
settings.register_profile(
    "labsupport",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("labsupport")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("LABSUPPORT_OFFLINE", "1")  # tests never reach for the network
