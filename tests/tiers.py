"""The two test tiers. `pytest -q` runs the quick one (unit and in-process tests, about two minutes on two
cores); `pytest -q -m "slow or not slow"` runs everything, as `.ci/run` does.

A test is slow when it needs a display server, sway, KWin, the embedded model or a model server (the fixtures and
markers below), or when it is named here: tests measured at 2 s or more on two cores, nearly all of them running
`proactive` in a subprocess (`run_cli`) or waiting on a real app run. Measured with
`pytest -q -m "slow or not slow" --durations=0`; a new test that takes that long belongs here too (or gets
`@pytest.mark.slow`). ALL: every test of the module.
"""

from __future__ import annotations

ALL = "*"

SLOW_FIXTURES = frozenset({"xserver", "x_env", "sway", "sway_env", "kwin", "llama_server"})
SLOW_MARKERS = frozenset({"display", "model"})

SLOW_TESTS: dict[str, str | frozenset[str]] = {
    "test_bundle": ALL,  # builds the PyInstaller bundle (minutes)
    "test_answers_kept": frozenset({
        "test_answers_are_listed_shown_and_rated_later_from_the_terminal",
    }),
    "test_bench_feedback": frozenset({
        "test_bench_feedback_writes_the_curve_and_a_plot",
    }),
    "test_bounded": frozenset({
        "test_a_download_that_fills_the_disk_is_deleted_and_the_app_still_starts",
        "test_files_to_read_are_refused_by_type",
    }),
    "test_collectors_kwin_gnome": frozenset({
        "test_setup_gnome_installs_the_right_variant",
    }),
    "test_collectors_runtime_contract": frozenset({
        "test_process_launch_and_exit_are_seen_but_short_lived_noise_is_not",
    }),
    "test_collectors_store_redaction": ALL,
    "test_config": frozenset({
        "test_config_check_ok_and_path",
        "test_config_check_reports_all_problems_and_run_refuses",
    }),
    "test_config_hardening": frozenset({
        "test_every_command_that_loads_the_config_says_it_in_one_line",
    }),
    "test_consent": frozenset({
        "test_accept_defaults_records_the_text_version_and_collects",
        "test_no_terminal_no_display_no_flag_collects_nothing_and_says_how",
        "test_the_terminal_prompt_records_the_answer_and_the_opt_in",
    }),
    "test_consent_doors": frozenset({
        "test_accept_defaults_opens_no_socket_even_with_the_endpoints_on_in_the_config",
        "test_an_opt_in_switched_on_after_consent_stays_off_until_agreed",
        "test_the_privacy_record_says_what_is_in_force",
    }),
    "test_dashboard_truth": frozenset({
        "test_own_windows_appear_in_no_view_or_export",
    }),
    "test_desktop_session": frozenset({
        "test_an_unreachable_display_runs_headless_with_one_line",
    }),
    "test_eval_baselines": frozenset({
        "test_eval_trace_prints_the_baselines",
    }),
    "test_eval_timing": frozenset({
        "test_eval_timing_cli_json",
    }),
    "test_eval_trace": frozenset({
        "test_eval_trace_cli_replays_every_step",
        "test_eval_trace_heldout_judge_excludes_the_trace_session",
    }),
    "test_facts": frozenset({
        "test_the_standard_library_is_not_installed_with_pip",
    }),
    "test_golden": frozenset({
        "test_no_proposal_breaks_a_wording_rule",
    }),
    "test_house": frozenset({
        "test_status_follows_the_model_from_loading_to_ready",
        "test_status_says_why_the_model_failed_while_the_rest_runs",
    }),
    "test_import_activitywatch": ALL,
    "test_judge": frozenset({
        "test_eval_with_missing_data_file_is_a_usage_error",
        "test_train_then_eval_round_trip",
        "test_training_reproduces_the_shipped_artefact_byte_for_byte",
    }),
    "test_judge_cv": frozenset({
        "test_grouped_cv_beats_the_trivial_baselines_and_is_calibrated",
    }),
    "test_judge_server": frozenset({
        "test_with_the_server_down_the_app_shows_cards_and_status_says_the_built_in_judge_decides",
    }),
    "test_lockout": frozenset({
        "test_a_full_disk_frees_and_collection_starts",
        "test_every_command_answers_in_one_line",
        "test_run_starts_collecting_or_clearly_paused",
        "test_the_first_command_sets_a_damaged_log_aside_and_salvages_it",
    }),
    "test_log_hardening": frozenset({
        "test_a_disk_full_for_long_counts_what_it_could_not_keep",
        "test_a_full_disk_never_kills_the_writer_and_nothing_is_lost",
        "test_a_log_locked_by_another_process_is_never_moved_aside",
        "test_lock_and_export_files_are_private",
    }),
    "test_model_management": ALL,
    "test_pipeline": ALL,
    "test_quiet_output": ALL,
    "test_redact_rules": frozenset({
        "test_export_scans_again_with_the_current_rules",
    }),
    "test_redact_table": frozenset({
        "test_a_180_kb_title_is_cut_and_scanned_in_linear_time",
    }),
    "test_research_data": frozenset({
        "test_export_import_export_is_byte_identical",
        "test_export_redacts_again_counts_it_and_a_missing_folder_is_one_clear_error",
        "test_ids_are_never_reused_after_forget_and_old_logs_migrate_with_their_labels",
        "test_label_stats_report_agreement_between_annotators",
        "test_one_answer_per_annotator_a_relabel_keeps_history_and_silent_moments_take_their_own_answers",
        "test_study_bundles_merge_and_a_changed_file_is_refused",
        "test_the_judge_commands_read_the_apps_own_exports",
    }),
    "test_research_formats": ALL,
    "test_run": ALL,
    "test_small_hardening": frozenset({
        "test_config_check_refuses_a_repeat_ambiguous_on_words",
    }),
    "test_store": frozenset({
        "test_events_command_filters_by_time_and_app",
        "test_flood_is_bounded_and_drops_are_counted",
        "test_forget_empties_the_spool_of_a_running_writer",
        "test_forget_needs_a_scope",
        "test_forget_really_removes_rows",
        "test_kill_9_keeps_everything_sent_a_second_before",
        "test_pause_is_recorded_and_obeyed",
    }),
    "test_study_merge": ALL,
    "test_task_panel": frozenset({
        "test_accept_in_the_terminal_streams_the_answer_and_keeps_it",
        "test_the_task_panel_streams_rates_and_follows_up",
    }),
    "test_ui_app": frozenset({
        "test_a_signal_quits_the_desktop_app_cleanly",
        "test_run_for_a_duration_ends_by_itself",
    }),
    "test_ui_dashboard": frozenset({
        "test_config_check_reports_a_model_file_that_does_not_exist",
    }),
    "test_validate_doors": frozenset({
        "test_hostile_spool_lines_never_stop_the_app_from_starting",
        "test_import_reports_what_it_stored",
    }),
}


def is_slow(module: str, name: str, fixtures: list[str], markers: set[str]) -> bool:
    """Whether the test `name` (without parameters) of `module` (file name without .py) belongs to the slow
    tier."""
    if SLOW_FIXTURES.intersection(fixtures) or SLOW_MARKERS & markers or "slow" in markers:
        return True
    listed = SLOW_TESTS.get(module, frozenset())
    return listed == ALL or name in listed
