"""Choosing a framework: the decision helper and its widget, the fan-out plot, chat clients."""
