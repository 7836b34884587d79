"""The `hrbot` command line: thin commands over library functions."""
