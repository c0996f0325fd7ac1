"""The sandboxed templates: personalisation, escaping and the limits."""

from __future__ import annotations

import pytest

from kindred.core.templating import TemplateInvalid, contact_context, render, validate

CONTACT = {"contact": contact_context({"first_name": "Ada", "last_name": "Byron"}, {"plan": "pro"})}


def test_contact_fields_render_in_camel_and_snake_case_with_full_name_and_custom_fields() -> None:
    text = "{{contact.firstName}} {{contact.first_name}} {{contact.name}} {{contact.plan}}"
    assert render(text, CONTACT) == "Ada Ada Ada Byron pro"


def test_missing_fields_take_their_default() -> None:
    assert render('Hi {{contact.email|default("there")}}', CONTACT) == "Hi there"


def test_html_bodies_autoescape_and_text_bodies_do_not() -> None:
    values = {"contact": {"firstName": "<b>"}}
    assert render("{{contact.firstName}}", values, html=True) == "&lt;b&gt;"
    assert render("{{contact.firstName}}", values) == "<b>"


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ contact.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'] }}",
    ],
)
def test_sandbox_escapes_are_refused(template: str) -> None:
    with pytest.raises(TemplateInvalid, match="not allowed"):
        render(template, CONTACT)


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 99999 }}",
        "{{ range(100000)|list }}",
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "{% for i in range(10000) %}{{ 'y' * 1000 }}{% endfor %}",
    ],
)
def test_size_and_time_limits_stop_a_runaway_template(template: str) -> None:
    with pytest.raises(TemplateInvalid, match=r"limited|longer"):
        render(template, CONTACT)


@pytest.mark.parametrize("template", ["{{ contact.firstName ", "{{ 1 / 0 }}", "{% endfor %}"])
def test_validate_names_the_problem(template: str) -> None:
    with pytest.raises(TemplateInvalid) as refused:
        validate(template)
    assert refused.value.status == 400
    assert "Template" in refused.value.message


def test_fields_are_read_as_the_sandbox_reads_them() -> None:
    """A dict's own attributes win over a field of the same name (and dunders stay refused)."""
    values = {"contact": {"firstName": "Ada", "keys": "shadow", "nickname": None}}
    assert render("{{ contact.keys()|list|length }}", values) == "3"
    assert render("{{ contact.firstName }}|{{ contact.nickname }}|{{ contact.x }}", values) == (
        "Ada|None|"
    )
    with pytest.raises(TemplateInvalid, match="not allowed"):
        render("{{ contact.__class__ }}", values)
