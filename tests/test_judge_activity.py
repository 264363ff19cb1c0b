"""The activity the judge reads out of the narration: what points at a need, and which offer answers it."""

from __future__ import annotations

from models.judge.activity import ACTIVITY_FEATURES, ACTIVITY_FITS, activity, activity_fits
from models.judge.features import FEATURE_NAMES, task_features
from models.judge.infer import load_judge
from models.judge.kinds import task_kind

STEADY_CODING = [
    "The user opens 'parser.py' in Visual Studio Code.",
    "The user types in 'parser.py' in Visual Studio Code for 1 minute.",
    "The user saves 'parser.py' in Visual Studio Code (ctrl+s).",
    "The user switches to Terminal ('~/compiler').",
    "The user types in '~/compiler' in Terminal for 5 seconds.",
    "The user types in 'parser.py' in Visual Studio Code for 1 minute.",
]
RERUN_LOOP = [
    "The user types in 'invoice.py' in Visual Studio Code for 20 seconds.",
    "The user saves 'invoice.py' in Visual Studio Code (ctrl+s).",
    "The user switches to Terminal ('~/billing').",
    "The user types in '~/billing' in Terminal for 5 seconds.",
    "The user types in 'invoice.py' in Visual Studio Code for 15 seconds.",
    "The user saves 'invoice.py' in Visual Studio Code (ctrl+s).",
    "The user switches to Terminal ('~/billing').",
    "The user types in '~/billing' in Terminal for 5 seconds.",
]
QUERY = "The user searches Google for 'how tides work'."
RESEARCH = [
    QUERY,
    "The user switches to Firefox and reads 'Tide - Wikipedia'.",
    "The user scrolls through 'Tide - Wikipedia' in Firefox for 40 seconds.",
    "The user scrolls through 'how tides work - Google Search' in Firefox for 5 seconds.",
    QUERY,  # the narrator names the search again on coming back to the results
    "The user switches to Firefox and reads 'Why are there two high tides a day?'.",
    "The user scrolls through 'Why are there two high tides a day?' in Firefox for 30 seconds.",
]
ONE_PAGE = [
    "The user switches to Firefox and reads 'Coroutines and Tasks'.",
    "The user scrolls through 'Coroutines and Tasks' in Firefox for 1 minute.",
    "The user scrolls through 'Coroutines and Tasks' in Firefox for 2 minutes.",
]
REPLY = [
    "The user switches to Thunderbird ('Quarterly figures').",
    "The user scrolls through 'Quarterly figures' in Thunderbird for 20 seconds.",
    "The user types in 'Write: Re: Quarterly figures' in Thunderbird for 30 seconds.",
]


def _act(history: list[str]) -> dict[str, float]:
    return dict(zip(ACTIVITY_FEATURES, activity(history), strict=True))


def test_editing_and_rerunning_twice_points_at_a_need_but_one_run_does_not() -> None:
    assert _act(RERUN_LOOP)["any_need"] == 1.0
    assert _act(STEADY_CODING)["any_need"] == 0.0


def test_a_command_run_again_after_changes_is_a_rerun_loop_even_in_one_sentence() -> None:
    latest = ["The user types in 'invoice.py' in Visual Studio Code for 15 seconds.",
              "The user runs 'pytest tests/test_invoice.py' in Terminal (2nd run in 40 seconds, after changing "
              "'invoice.py')."]
    assert _act(latest)["edit_run"] >= 2 / 3 and _act(latest)["any_need"] == 1.0
    fits = dict(zip(ACTIVITY_FITS, activity_fits("review", activity(latest)), strict=True))
    assert fits["fix_x_edit_run"] == 1.0
    assert _act(latest[:1] + ["The user runs 'pytest tests/test_invoice.py' in Terminal."])["any_need"] == 0.0


def test_several_pages_on_one_search_point_at_a_need_reading_one_page_does_not() -> None:
    research, one_page = _act(RESEARCH), _act(ONE_PAGE)
    assert research["pages_after_search"] >= 2 / 3 and research["any_need"] == 1.0
    assert one_page["pages_after_search"] == 0.0 and one_page["any_need"] == 0.0


def test_an_error_on_screen_is_trouble_whatever_its_name() -> None:
    for title in ("ModuleNotFoundError: No module named 'torch'", "CONFLICT (content): Merge conflict",
                  "Permission denied (publickey)"):
        history = [f"The user switches to Terminal ('{title}')."]
        assert _act(history)["trouble"] == 1.0, title


def test_the_offer_that_answers_the_activity_fits_and_others_do_not() -> None:
    reply = "Draft a reply to 'Quarterly figures' in Thunderbird."
    summary = "Summarise the key points of 'Tides'."
    assert max(activity_fits(task_kind(reply), activity(REPLY))) == 1.0
    assert max(activity_fits(task_kind(summary), activity(REPLY))) == 0.0
    assert max(activity_fits(task_kind(summary), activity(RESEARCH))) == 1.0
    review = "Review 'invoice.py' for bugs and possible improvements."
    assert max(activity_fits(task_kind(review), activity(RERUN_LOOP))) == 1.0
    assert max(activity_fits(task_kind(review), activity(STEADY_CODING))) == 0.0


def test_the_shipped_judge_rates_a_review_higher_in_a_rerun_loop_than_in_steady_coding() -> None:
    judge = load_judge()
    loop = judge.score(RERUN_LOOP, ["Review 'invoice.py' for bugs and possible improvements.", None])
    steady = judge.score(STEADY_CODING, ["Review 'parser.py' for bugs and possible improvements.", None])
    assert loop[0] > steady[0]
    assert loop[1] < steady[1]  # and is less sure that no help is needed


def test_fits_any_is_a_column_of_the_task_features() -> None:
    judge = load_judge()
    row = task_features(REPLY, ["Draft a reply to 'Quarterly figures' in Thunderbird."], judge.tfidf)[0]
    assert row[FEATURE_NAMES.index("fits_any")] == 1.0


def test_typing_in_a_file_named_after_mail_is_not_writing_a_message() -> None:
    # one pattern for "a message" serves the activity and the task features: whole words, so a file or a
    # tool named after mail is code being written, while a reply being typed (any inflection) is a message
    coding = ["The user opens 'email_filter.py' in Visual Studio Code.",
              "The user types in 'email_filter.py' in Visual Studio Code for 30 seconds."]
    assert _act(coding)["compose"] == 0.0
    assert _act(REPLY)["compose"] == 1.0
    assert _act(["The user is typing messages in Slack ('general (Channel) - Acme')."])["compose"] == 1.0


def test_a_reply_being_written_is_composing_a_new_mail_is_not() -> None:
    new_mail = ["The user switches to Thunderbird ('Write: Grant proposal draft').",
                "The user types in 'Write: Grant proposal draft' in Thunderbird for 20 seconds."]
    assert _act(REPLY)["compose"] == 1.0
    assert _act(new_mail)["compose"] == 0.0 and _act(new_mail)["any_need"] == 0.0
    fits = activity_fits("reply", activity(new_mail))
    assert fits[ACTIVITY_FITS.index("reply_x_compose")] == 0.0


def test_a_pause_in_a_document_points_at_help_to_go_on_writing_a_pause_elsewhere_does_not() -> None:
    stalled = ["The user types in 'thesis.odt' in LibreOffice for 1 minute.",
               "The user stops typing in 'thesis.odt' in LibreOffice for 45 seconds."]
    watching = ["The user types in Firefox for 10 seconds.", "The user stops typing in Firefox for 1 minute."]
    assert _act(stalled)["pause"] == 1.0 and _act(stalled)["any_need"] == 1.0
    assert activity_fits("write", activity(stalled))[ACTIVITY_FITS.index("write_x_pause")] == 1.0
    assert _act(watching)["pause"] == 0.0 and _act(watching)["any_need"] == 0.0


def test_reading_a_search_results_page_is_that_search() -> None:
    history = ["The user scrolls through 'printing press history - Google Search' in Firefox for 5 seconds.",
               "The user switches to Firefox and reads 'Printing press - Wikipedia'.",
               "The user searches Google for 'printing press history'.",
               "The user switches to Firefox and reads 'How Gutenberg changed the world'."]
    assert _act(history)["pages_after_search"] == 2 / 3 and _act(history)["any_need"] == 1.0
