#! /bin/sh
# Generates configure and the Makefile.in files from a clean checkout.
set -e
autoreconf --install --force
