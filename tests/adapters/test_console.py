import io

import pytest

from bot.adapters.console import PLATFORM, Console
from bot.core.assistant import Assistant
from bot.core.service import Service
from bot.store import open_store


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


@pytest.fixture
async def store(tmp_path):
    async with await open_store(tmp_path) as store:
        yield store


async def run_console(service: Service, store, text: str) -> str:
    out = io.StringIO()
    console = Console(
        Assistant(service, store, PLATFORM), io.StringIO(text), out, interactive=False
    )
    assert await console.run() == 0
    return out.getvalue()


async def test_piped_questions_are_answered_in_order_and_end_at_eof(service, store):
    out = await run_console(
        service, store, "チャットワークは無料ですか\n\nhow do I sign up for chatwork\n"
    )
    first, second = out.split("■")[1:]
    assert "無料" in first
    assert "mail" in second.lower()


async def test_unknown_question_lists_topics_and_a_number_picks_one(service, store):
    first_title = service.engines.matcher.entries[0].title.ja
    out = await run_console(service, store, "こんにちは\n1\n")
    assert out.startswith("すみません")
    assert out.split("■", 1)[1].startswith(f" {first_title}")


async def test_out_of_range_number_is_explained(service, store):
    out = await run_console(service, store, "こんにちは\n999\n")
    assert "番号を入力してください" in out


async def test_quit_stops_reading(service, store):
    assert await run_console(service, store, "quit\nチャットワークは無料ですか\n") == ""


async def test_unanswered_question_is_recorded_without_user(service, store):
    await run_console(service, store, "大阪でおすすめの観光地は\n")
    [recorded] = await store.questions()
    assert recorded.text == "大阪でおすすめの観光地は" and recorded.tier == "none"


async def test_walkthrough_numbered_choices_and_progress_resumes(service, store):
    walkthrough = service.engines.walkthrough
    start = walkthrough.start()
    out = await run_console(service, store, "/chatwork-safe\n")
    assert walkthrough.step(start).title.ja in out and "1. " in out and "番号を入力" in out
    first_action = walkthrough.actions(start)[0]
    await run_console(service, store, "/chatwork-safe\n1\n")
    second = walkthrough.advance(start, first_action.value)
    assert second != start
    resumed = await run_console(service, store, "/chatwork-safe\n")
    assert walkthrough.step(second).title.ja in resumed
    assert await store.get_progress(PLATFORM, "local") == second.encode()


async def test_walkthrough_rejects_out_of_range_choice_and_q_closes(service, store):
    out = await run_console(service, store, "/chatwork-safe\n99\nq\n")
    assert "番号を入力してください" in out and "ガイドを閉じました" in out


async def test_check_command_reports_risk_and_reply(service, store):
    out = await run_console(service, store, "check 報酬は銀行振込で直接お支払いします\ncheck\n")
    assert "⚠️" in out and "出典" in out and "そのまま使える返信文" in out
    assert "貼り付けてください" in out
    assert await store.questions() == []


async def test_an_error_is_explained_and_the_console_keeps_going(service, store, caplog):
    class BrokenStore:
        """A store whose every call fails, as a corrupt database would."""

        def __getattr__(self, name):
            async def fail(*args, **kwargs):
                raise OSError("disk I/O error")

            return fail

    out = io.StringIO()
    console = Console(
        Assistant(service, BrokenStore(), PLATFORM),
        io.StringIO("/chatwork-safe\ncheck 直接契約しませんか\n"),
        out,
        interactive=False,
    )
    assert await console.run() == 0
    assert "エラーが発生しました" in out.getvalue()
    assert "直接契約" in out.getvalue()
    assert "disk I/O error" in caplog.text
