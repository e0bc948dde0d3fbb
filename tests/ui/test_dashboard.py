from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from core.access.roles import CLI_ACTOR
from core.bootstrap import AppContext
from core.imports.service import load_demo
from core.views.dashboard import DashboardFilters, DashboardService
from tests.ui.helpers import metrics, texts


def test_empty_database_points_to_import(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    at = open_page("pages/dashboard.py")
    assert not at.exception
    assert at.title[0].value == "Dashboard"
    assert any("No tenders yet" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    assert not at.metric


def test_kpis_charts_and_table_match_the_database(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/dashboard.py")
    assert not at.exception
    expected = DashboardService.from_context(analysed_demo).kpis(DashboardFilters())
    shown = metrics(at)
    assert shown["Tenders"] == str(expected.tenders)
    assert shown["Relevant"] == str(expected.relevant)
    assert shown["Bids ready"] == str(expected.bids_ready)
    assert shown["Average score"] == f"{expected.average_score:.1f} / 10"
    assert len(at.get("plotly_chart")) == 5
    assert not any("still waiting" in i.value for i in at.info)

    table = at.dataframe(key="tender_table").value
    assert len(table) == expected.tenders == analysed_demo.tenders.count()
    scores = table["overall_score"].dropna().tolist()
    assert scores == sorted(scores, reverse=True)
    assert any(f"{expected.tenders} tenders." in t for t in texts(at))


def test_sidebar_filters_narrow_everything(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/dashboard.py")
    at.sidebar.toggle(key="f_relevant").set_value(True).run()
    assert not at.exception
    relevant = DashboardService.from_context(analysed_demo).kpis(DashboardFilters()).relevant
    assert metrics(at)["Tenders"] == str(relevant)
    assert len(at.dataframe(key="tender_table").value) == relevant

    at.sidebar.text_input(key="f_search").input("zzz-no-such-tender").run()
    assert not at.exception
    assert metrics(at)["Tenders"] == "0"
    assert any("No tender matches these filters" in i.value for i in at.info)


def test_selecting_a_row_opens_the_tender(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/dashboard.py")
    first = at.dataframe(key="tender_table").value.iloc[0]
    at.session_state["tender_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Tenders"
    assert at.session_state["tender_id"] == int(first["id"])
    assert at.query_params["id"] == str(first["id"])
    assert first["title"] in at.header[0].value.replace("\\", "")

    # back on the dashboard, the old selection does not bounce us to the tender again
    at.switch_page("pages/dashboard.py").run()
    assert at.title[0].value == "Dashboard"


def test_mid_analysis_has_no_charts_that_crash(
    open_page: Callable[[str], AppTest], ctx: AppContext
) -> None:
    ctx.controls().set_paused(True, actor=CLI_ACTOR)
    load_demo(ctx.tenders, actor=CLI_ACTOR)
    at = open_page("pages/dashboard.py")
    assert not at.exception
    assert metrics(at)["Relevant"] == "0"
    assert any("No tender is rated yet" in i.value for i in at.info)
    waiting = f"Analysis paused: {ctx.tenders.count()} tenders still waiting"
    assert any(waiting in i.value for i in at.info)
    assert len(at.dataframe(key="tender_table").value) == ctx.tenders.count()


def test_the_table_downloads_as_csv_and_xlsx(
    open_page: Callable[[str], AppTest], analysed_demo: AppContext
) -> None:
    at = open_page("pages/dashboard.py")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download (CSV)", "Download (XLSX)"]
