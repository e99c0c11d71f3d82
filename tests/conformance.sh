#!/bin/sh
# SPDX-License-Identifier: MIT
# make conformance: one line per engine.
exec sh tests/suites/conformance.sh
