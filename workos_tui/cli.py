"""Placeholder, replaced in the next commit."""


def main() -> int:
    return 0
