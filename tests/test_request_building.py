"""How a tool's HTTP mapping turns arguments into a request body."""

from __future__ import annotations

from actionplane.engine.request import fill_template, form_pairs


def test_template_drops_objects_whose_placeholders_are_all_absent() -> None:
    template = {
        "fields": {
            "summary": "$summary",
            "priority": {"name": "$priority"},
            "description": {"type": "doc", "content": [{"type": "text", "text": "$text"}]},
            "literal": "$$dollar",
        }
    }
    assert fill_template(template, {"summary": "Broken"}) == {
        "fields": {"summary": "Broken", "literal": "$dollar"}
    }
    filled = fill_template(template, {"summary": "S", "priority": "High", "text": "t"})
    assert filled["fields"]["priority"] == {"name": "High"}
    assert filled["fields"]["description"]["content"] == [{"type": "text", "text": "t"}]


def test_form_pairs_use_stripe_bracket_encoding() -> None:
    pairs = form_pairs({"metadata": {"plan": "pro"}, "items": [{"price": "p_1"}], "flag": True})
    assert pairs == [("metadata[plan]", "pro"), ("items[0][price]", "p_1"), ("flag", "true")]
