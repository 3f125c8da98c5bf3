"""Maintainer tools: build the notebooks, keep their navigation, drive JupyterLab, take screenshots. Never imported by `helpers`."""
