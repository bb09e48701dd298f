"""Block Kit checks: the limits Slack enforces, answered as Slack's ``invalid_blocks`` errors.

Each problem reads like Slack's own, with a JSON pointer: ``must be less than 3001 characters
[json-pointer:/blocks/0/text/text]``. Only the blocks and elements a bot sends in messages are
known (section, header, context, actions, divider, image, rich_text; button, static_select,
overflow, image); anything else is reported, so a typo in a type fails the test that sent it.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_OPTIONS = 100
MAX_OVERFLOW_OPTIONS = 5
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
MAX_ALT_TEXT = 2000

KNOWN_BLOCKS = {"section", "header", "context", "actions", "divider", "image", "rich_text"}
BUTTON_STYLES = {"primary", "danger"}


class BlockChecker:
    """Collects every problem of one ``blocks`` array (Slack reports them all at once)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def problem(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    def check(self, blocks: Any, max_blocks: int = MAX_BLOCKS) -> list[str]:
        if not isinstance(blocks, list):
            self.problem("must be an array", "/blocks")
            return self.errors
        if len(blocks) > max_blocks:
            self.problem(f"no more than {max_blocks} items allowed", "/blocks")
        block_ids: set[str] = set()
        for index, block in enumerate(blocks):
            pointer = f"/blocks/{index}"
            if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCKS:
                kind = block.get("type") if isinstance(block, dict) else block
                self.problem(f"unsupported type: {kind!r}", f"{pointer}/type")
                continue
            block_id = block.get("block_id")
            if block_id is not None:
                self.length(block_id, MAX_BLOCK_ID, f"{pointer}/block_id")
                if block_id in block_ids:
                    self.problem(f"duplicate block_id {block_id!r}", f"{pointer}/block_id")
                block_ids.add(block_id)
            getattr(self, f"_{block['type']}")(block, pointer)
        return self.errors

    # blocks

    def _section(self, block: dict[str, Any], pointer: str) -> None:
        if "text" not in block and "fields" not in block:
            self.problem("must provide either text or fields", pointer)
        if "text" in block:
            self.text_object(block["text"], f"{pointer}/text", MAX_SECTION_TEXT)
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list) or not fields:
                self.problem("must be a non-empty array", f"{pointer}/fields")
            else:
                if len(fields) > MAX_SECTION_FIELDS:
                    self.problem(
                        f"no more than {MAX_SECTION_FIELDS} items allowed", f"{pointer}/fields"
                    )
                for i, item in enumerate(fields):
                    self.text_object(item, f"{pointer}/fields/{i}", MAX_FIELD_TEXT)
        if "accessory" in block:
            self.element(block["accessory"], f"{pointer}/accessory", set())

    def _header(self, block: dict[str, Any], pointer: str) -> None:
        self.text_object(block.get("text"), f"{pointer}/text", MAX_HEADER_TEXT, plain_only=True)

    def _context(self, block: dict[str, Any], pointer: str) -> None:
        elements = self.element_list(block, pointer, MAX_CONTEXT_ELEMENTS)
        for i, element in enumerate(elements):
            where = f"{pointer}/elements/{i}"
            if isinstance(element, dict) and element.get("type") == "image":
                self._image(element, where)
            else:
                self.text_object(element, where, MAX_SECTION_TEXT)

    def _actions(self, block: dict[str, Any], pointer: str) -> None:
        action_ids: set[str] = set()
        for i, element in enumerate(self.element_list(block, pointer, MAX_ACTIONS_ELEMENTS)):
            self.element(element, f"{pointer}/elements/{i}", action_ids)

    def _divider(self, block: dict[str, Any], pointer: str) -> None:
        """A divider has nothing but its type and block_id."""

    def _image(self, block: dict[str, Any], pointer: str) -> None:
        self.required_string(block, "image_url", f"{pointer}/image_url", MAX_URL)
        self.required_string(block, "alt_text", f"{pointer}/alt_text", MAX_ALT_TEXT)

    def _rich_text(self, block: dict[str, Any], pointer: str) -> None:
        if not isinstance(block.get("elements"), list):
            self.problem("must be an array", f"{pointer}/elements")

    # elements

    def element(self, element: Any, pointer: str, action_ids: set[str]) -> None:
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in ("button", "static_select", "overflow", "image"):
            self.problem(f"unsupported type: {kind!r}", f"{pointer}/type")
            return
        if kind == "image":
            self._image(element, pointer)
            return
        action_id = element.get("action_id")
        if action_id is not None:
            self.length(action_id, MAX_ACTION_ID, f"{pointer}/action_id")
            if action_id in action_ids:
                self.problem(f"duplicate action_id {action_id!r}", f"{pointer}/action_id")
            action_ids.add(action_id)
        if kind == "button":
            self._button(element, pointer)
        elif kind == "static_select":
            self.text_object(
                element.get("placeholder"),
                f"{pointer}/placeholder",
                MAX_PLACEHOLDER,
                plain_only=True,
                optional=True,
            )
            self.options(element, pointer, MAX_OPTIONS)
        else:
            self.options(element, pointer, MAX_OVERFLOW_OPTIONS)

    def _button(self, element: dict[str, Any], pointer: str) -> None:
        self.text_object(element.get("text"), f"{pointer}/text", MAX_BUTTON_TEXT, plain_only=True)
        if "value" in element:
            self.length(element["value"], MAX_BUTTON_VALUE, f"{pointer}/value")
        if "url" in element:
            self.length(element["url"], MAX_URL, f"{pointer}/url")
        if "style" in element and element["style"] not in BUTTON_STYLES:
            self.problem(
                f"must be one of {sorted(BUTTON_STYLES)}, got {element['style']!r}",
                f"{pointer}/style",
            )

    def options(self, element: dict[str, Any], pointer: str, limit: int) -> None:
        options = element.get("options")
        if not isinstance(options, list) or not options:
            self.problem("must provide a non-empty options array", f"{pointer}/options")
            return
        if len(options) > limit:
            self.problem(f"no more than {limit} items allowed", f"{pointer}/options")
        for i, option in enumerate(options):
            where = f"{pointer}/options/{i}"
            if not isinstance(option, dict):
                self.problem("must be an object", where)
                continue
            self.text_object(option.get("text"), f"{where}/text", MAX_OPTION_TEXT, plain_only=True)
            self.required_string(option, "value", f"{where}/value", MAX_OPTION_VALUE)

    # pieces

    def element_list(self, block: dict[str, Any], pointer: str, limit: int) -> list[Any]:
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            self.problem("must provide a non-empty elements array", f"{pointer}/elements")
            return []
        if len(elements) > limit:
            self.problem(f"no more than {limit} items allowed", f"{pointer}/elements")
        return elements

    def text_object(
        self,
        value: Any,
        pointer: str,
        limit: int,
        *,
        plain_only: bool = False,
        optional: bool = False,
    ) -> None:
        if value is None and optional:
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if not isinstance(value, dict) or value.get("type") not in allowed:
            self.problem(f"must be a text object of type {' or '.join(allowed)}", pointer)
            return
        self.required_string(value, "text", f"{pointer}/text", limit)

    def required_string(self, obj: dict[str, Any], key: str, pointer: str, limit: int) -> None:
        value = obj.get(key)
        if not isinstance(value, str) or not value:
            self.problem("must be a non-empty string", pointer)
            return
        self.length(value, limit, pointer)

    def length(self, value: Any, limit: int, pointer: str) -> None:
        if not isinstance(value, str):
            self.problem("must be a string", pointer)
        elif len(value) > limit:
            self.problem(f"must be less than {limit + 1} characters", pointer)


def block_errors(blocks: Any) -> list[str]:
    """Slack's ``invalid_blocks`` messages for a message's ``blocks``; empty when they are valid."""
    return BlockChecker().check(blocks)
