# unit tests: each tests/unit/<component>/*.c becomes build/test-<name>, which prints
# "NAME: N passed, N failed".
