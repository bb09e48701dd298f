import io

import pytest

from bot.adapters.console import PLATFORM, Console
from bot.core.assistant import Assistant
from bot.core.catalog import ui
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
    assistant = Assistant(service, store, PLATFORM, records_usage=False)
    console = Console(assistant, io.StringIO(text), out, interactive=False)
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


async def test_console_input_is_kept_out_of_the_statistics(service, store):
    await run_console(service, store, "大阪でおすすめの観光地は\nチャットワークは無料ですか\n1\n")
    await store.flush()
    assert await store.questions() == []
    assert (await store.stats()).questions == 0


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


async def test_help_lists_the_commands_in_the_language_in_use(service, store):
    out = await run_console(service, store, "help\nhow do I sign up for chatwork\n?\n")
    assert ui("console_help", "ja") in out and ui("console_help", "en") in out
    assert "did you mean" not in out.lower() and "もしかして" not in out


async def test_a_stray_number_or_unknown_command_neither_lists_topics_nor_switches_language(
    service, store
):
    out = await run_console(service, store, "how do I sign up for chatwork\n5\n/foo\n")
    assert ui("console_nothing_to_pick", "en") in out
    assert ui("console_unknown_command", "en", command="/foo") in out
    assert ui("no_answer", "ja") not in out and ui("no_answer", "en") not in out


async def test_closing_the_english_guide_answers_in_english(service, store):
    out = await run_console(service, store, "how do I sign up for chatwork\n/chatwork-safe\nq\n")
    assert out.rstrip().endswith(ui("console_guide_closed", "en"))


async def test_the_last_step_offers_finish_which_closes_the_guide(service, store):
    walkthrough = service.engines.walkthrough
    summary = walkthrough.state("summary")
    assert summary.finished
    await store.set_progress(PLATFORM, "local", summary.progress.encode())
    out = await run_console(service, store, "/chatwork-safe\n")
    finish = f"{len(summary.actions) + 1}. {ui('console_guide_finish', 'ja')}"
    assert finish in out
    out = await run_console(service, store, f"/chatwork-safe\n{len(summary.actions) + 1}\n1\n")
    assert ui("console_guide_finished", "ja") in out
    assert out.rstrip().endswith(ui("console_nothing_to_pick", "ja")), "the guide is closed"


async def test_a_resumed_guide_says_where_it_resumes(service, store):
    fresh = await run_console(service, store, "/chatwork-safe\n")
    assert "再開します" not in fresh
    resumed = await run_console(service, store, "/chatwork-safe\n1\n/chatwork-safe\n")
    second = resumed.split("■")[-1].split("\n")[0].strip()
    assert ui("console_guide_resumed", "ja", title=second) in resumed
