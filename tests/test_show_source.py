"""source_of reads a function, a class or a whole module from its file without importing it (Django needs settings)."""

from __future__ import annotations

import sys

import pytest

from helpers.display import show_source, source_of


def test_a_decorated_function_is_read_with_its_decorators_and_nothing_is_imported():
    sys.modules.pop("helpers.apps.jobs_django.urls", None)
    code = source_of("helpers.apps.jobs_django.urls", "place_order")
    assert code.startswith("@csrf_exempt") and "send_receipt.enqueue(" in code
    assert code.rstrip().endswith("status=202)")
    assert "helpers.apps.jobs_django.urls" not in sys.modules


def test_show_source_highlights_the_same_text():
    shown = show_source("helpers.apps.jobs_django.tasks", "send_receipt")
    assert shown.data == source_of("helpers.apps.jobs_django.tasks", "send_receipt")
    assert "@task()" in shown.data


def test_a_missing_name_or_module_is_refused_by_name():
    with pytest.raises(ValueError, match="defines no function or class 'nope'"):
        source_of("helpers.apps.receipts", "nope")
    with pytest.raises(ValueError, match="not a Python module"):
        source_of("helpers.apps.no_such_module", "send_receipt")


def test_a_whole_module_is_read_without_importing_it():
    sys.modules.pop("helpers.apps.deploy_settings_env", None)  # importing it without DJANGO_SECRET_KEY raises
    code = source_of("helpers.apps.deploy_settings_env")
    assert code.startswith('"""Django settings for production') and 'os.environ["DJANGO_SECRET_KEY"]' in code
    assert "helpers.apps.deploy_settings_env" not in sys.modules
