"""The kept `{% url %}` (containers_app/templatetags/cached_url.py) answers as Django's."""

from __future__ import annotations

import pytest
from django.template import Context, engines
from django.template.defaulttags import URLNode
from django.urls import NoReverseMatch, reverse, set_script_prefix

from containers_app.templatetags import cached_url


def render(source: str, **values) -> str:
    return engines["django"].from_string(source).render(values)


@pytest.fixture(autouse=True)
def root_prefix():
    set_script_prefix("/")
    yield
    set_script_prefix("/")


def test_every_template_gets_the_kept_tag():
    node = engines["django"].engine.from_string("{% url 'images:list' %}").nodelist[0]
    assert isinstance(node, cached_url.CachedURLNode)


def test_answers_as_reverse_and_keeps_them():
    cached_url._reverse.cache_clear()
    for _ in range(3):
        assert render("{% url 'containers:detail' ref %}", ref="web") == reverse(
            "containers:detail", args=["web"]
        )
    assert cached_url._reverse.cache_info().hits == 2


def test_each_engine_prefix_has_its_own_answer():
    assert render("{% url 'images:list' %}") == "/images/"
    set_script_prefix("/e/other/")
    assert render("{% url 'images:list' %}") == "/e/other/images/"
    set_script_prefix("/")
    assert render("{% url 'images:list' %}") == "/images/"


def test_keyword_arguments_and_as_var():
    out = render(
        "{% url 'containers:detail' ref=ref as link %}[{{ link }}]"
        "{% url 'nowhere' as none %}[{{ none }}]",
        ref="a<b",
    )
    assert out == f"[{reverse('containers:detail', kwargs={'ref': 'a<b'}).replace('<', '&lt;')}][]"


def test_an_unknown_view_still_raises():
    with pytest.raises(NoReverseMatch):
        render("{% url 'nowhere' %}")


def test_objects_that_may_change_are_reversed_each_time():
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

        def __eq__(self, other) -> bool:
            return isinstance(other, Named)

        def __hash__(self) -> int:
            return 1

    source = "{% url 'containers:detail' ref %}"
    assert render(source, ref=Named("one")) == "/containers/one/"
    assert render(source, ref=Named("two")) == "/containers/two/"


def test_escapes_unless_autoescape_is_off():
    template = engines["django"].engine.from_string("{% url 'containers:detail' ref %}")
    assert template.render(Context({"ref": "a&b"})).endswith("a&amp;b/")
    assert template.render(Context({"ref": "a&b"}, autoescape=False)).endswith("a&b/")
    assert isinstance(template.nodelist[0], URLNode)
