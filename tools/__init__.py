"""Maintainer commands: build the notebooks, keep their navigation, take screenshots. Never imported by `helpers`."""
