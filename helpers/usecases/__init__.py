"""Choosing a framework: the contests' measurements (chat load, service start), the decision helper and its widget, the fan-out plot, chat clients."""
