"""The article's specification in Gherkin (flows/features/{ja,en}), run by pytest-bdd with the
kit's steps and fixtures: real Chromium, real `slskit serve`."""
import pytest
from pytest_bdd import scenarios

from flows.steps import features

pytestmark = pytest.mark.e2e

scenarios(features("ja"), features("en"))
