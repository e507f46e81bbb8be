# Every test directory (harness/tests, reports/tests, workloads/*/tests) shares the end-to-end fixtures of
# harness/tests/claimbench_testing.py (on pytest.ini's pythonpath).
pytest_plugins = ["claimbench_testing"]
