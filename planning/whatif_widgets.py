"""The what-if controls (ipywidgets) over `planning.whatif`: the notebook only builds and shows them.

    app = WhatIfApp.start("data/sample", 2027)
    app.widget                     # display it (JupyterLab, or Voilà for the meeting room)

Controls: seats by season / topic / institution, the budget as a share of the baseline's cost,
the unit absence cap, priority weights, windowed classes on/off, pins (a cadre and a class:
must / must not), class dates (a class moved by whole weeks). **Apply** re-plans (quick unless "full optimizer" is ticked) and shows the key
figures against the baseline, requirement met by level and group, the unit × week absence
heatmap, the cadres who gain or lose and the plan's distance from its bound. **Save as scenario**
writes the settings as `<scenario_dir>/<name>.yaml`; **Export** writes the PDF report of the
current plan. No planning logic here: every figure and sentence comes from `planning.whatif`."""
from __future__ import annotations

import html
import traceback
from pathlib import Path

import ipywidgets as W
import pandas as pd
from IPython.display import display

from planning.errors import PlanningError
from planning.messages import say
from planning.whatif import (GROUPS, Change, Outcome, WhatIf, _season, absence_charts, cards_html, cadres_table,
                             coverage_table, figures_table, group_name, safe_name)

SEAT_RANGE = (0.5, 2.0, 0.05)          # slider min, max, step for a seat factor
BUDGET_RANGE = (0.5, 1.5, 0.01)        # budget as a share of the baseline's cost
CAP_RANGE = (0.05, 0.5, 0.01)          # unit absence cap
WEIGHT_RANGE = (0, 20, 1)              # a priority weight
ANY = "(none)"   # the dropdowns' "no topic / institution" value (shown in the dashboard's language)


def _slider(description: str, value: float, rng: tuple, fmt: str = ".2f") -> W.FloatSlider:
    lo, hi, step = rng
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
                         continuous_update=False, style={"description_width": "12em"},
                         layout=W.Layout(width="30em"))


class WhatIfApp:
    """The what-if dashboard: the controls, the Apply / Save / Export buttons and the outputs."""

    def __init__(self, session: WhatIf, *, scenario_dir: str | Path = "data/scenarios",
                 export_dir: str | Path | None = None):
        self.session = session
        self.scenario_dir = Path(scenario_dir)
        self.export_dir = Path(export_dir) if export_dir is not None else self.scenario_dir.parent / "what-if"
        ds, pol = session.data, session.policy
        self.lang = lang = session.lang
        t = lambda code, **v: say(code, lang, **v)  # noqa: E731
        self.outcome: Outcome | None = None
        self.saved: Path | None = None
        self.exported: Path | None = None

        self.season = {s: _slider(t("wi_seats_x", what=_season(s, lang)), 1.0, SEAT_RANGE)
                       for s in pol.seasons}
        topics = sorted(set(ds.classes["topic"]))
        institutions = sorted(set(ds.classes["institution"].dropna()))
        none = [(t("wi_none"), ANY)]
        self.topic = W.Dropdown(options=none + [(x, x) for x in topics], value=ANY, description=t("wi_topic"),
                                style={"description_width": "12em"}, layout=W.Layout(width="30em"))
        self.topic_factor = _slider(t("wi_topic_seats"), 1.0, SEAT_RANGE)
        self.institution = W.Dropdown(options=none + [(x, x) for x in institutions], value=ANY,
                                      description=t("wi_institution"),
                                      style={"description_width": "12em"}, layout=W.Layout(width="30em"))
        self.institution_factor = _slider(t("wi_institution_seats"), 1.0, SEAT_RANGE)
        self.budget_on = W.Checkbox(value=False, description=t("wi_budget_on"), indent=False)
        self.budget = _slider(t("wi_budget"), 1.0, BUDGET_RANGE)
        self.cap = _slider(t("wi_cap"), float(pol["absence.max_absent_share"]), CAP_RANGE)
        self.weights = {g: W.IntSlider(value=int(pol[f"priority.{g}"]), min=WEIGHT_RANGE[0], max=WEIGHT_RANGE[1],
                                       step=WEIGHT_RANGE[2], description=t("wi_weight", group=group_name(g, lang)),
                                       continuous_update=False, style={"description_width": "12em"},
                                       layout=W.Layout(width="30em"))
                        for g in ("base",) + GROUPS}
        self.windowed = W.Checkbox(value=True, description=t("wi_windowed"), indent=False)

        cadre_opts = [(f"{c} {n}", c) for c, n in zip(ds.cadres["cadre_id"], ds.cadres["name"])]
        class_opts = [(f"{c} {t}", c) for c, t in zip(ds.classes["class_id"], ds.classes["title"])]
        self.pin_cadre = W.Dropdown(options=cadre_opts, description=t("wi_cadre"), layout=W.Layout(width="30em"))
        self.pin_class = W.Dropdown(options=class_opts, description=t("wi_class"), layout=W.Layout(width="30em"))
        self.pin_rule = W.ToggleButtons(options=[(t("wi_must"), "must"), (t("wi_must_not"), "must_not")], value="must")
        self.pin_add = W.Button(description=t("wi_add_pin"), icon="thumb-tack")
        self.pin_list = W.Select(options=[], rows=4, description=t("wi_pins"), layout=W.Layout(width="30em"))
        self.pin_remove = W.Button(description=t("wi_remove_pin"))
        self.move_class = W.Dropdown(options=class_opts, description=t("wi_class"), layout=W.Layout(width="30em"))
        self.move_weeks = W.IntSlider(value=1, min=-8, max=8, description=t("wi_weeks_later"), continuous_update=False,
                                      layout=W.Layout(width="30em"))
        self.move_add = W.Button(description=t("wi_move_class"))
        self.move_list = W.Select(options=[], rows=4, description=t("wi_moves"), layout=W.Layout(width="30em"))
        self.move_remove = W.Button(description=t("wi_undo_move"))
        self.move_add.on_click(lambda _: self._add_move())
        self.move_remove.on_click(lambda _: self._remove_move())
        self.pin_add.on_click(lambda _: self._add_pin())
        self.pin_remove.on_click(lambda _: self._remove_pin())

        self.full = W.Checkbox(value=False, description=t("wi_full"), indent=False)
        self.apply_button = W.Button(description=t("wi_apply"), button_style="primary", icon="refresh")
        self.name = W.Text(value=t("wi_default_name"), description=t("wi_scenario_name"),
                           style={"description_width": "10em"})
        self.save_button = W.Button(description=t("wi_save"), icon="save", layout=W.Layout(width="13em"))
        self.export_button = W.Button(description=t("wi_export"), icon="file-pdf-o")
        self.apply_button.on_click(lambda _: self.apply())
        self.save_button.on_click(lambda _: self.save())
        self.export_button.on_click(lambda _: self.export())

        self.status = W.HTML()
        self.cards = W.HTML(cards_html(session.base.summary, None, lang))
        self.words = W.HTML()
        self.details = W.Output()
        self.heatmap = W.Output()
        self.heatmap.add_class("whatif-heatmap")
        status = session.base.summary["status"]
        status = t(f"wi_status_{status}") if lang == "zh" and status in ("optimal", "feasible") else status
        self._say(t("wi_baseline", n=f"{session.base.summary['cadres']:,}", status=status))

        controls = W.Accordion(children=[
            W.VBox(list(self.season.values()) + [self.topic, self.topic_factor, self.institution,
                                                 self.institution_factor]),
            W.VBox([self.budget_on, self.budget, self.cap, self.windowed]),
            W.VBox(list(self.weights.values())),
            W.VBox([self.pin_cadre, self.pin_class, self.pin_rule, W.HBox([self.pin_add, self.pin_remove]),
                    self.pin_list]),
            W.VBox([self.move_class, self.move_weeks, W.HBox([self.move_add, self.move_remove]), self.move_list]),
        ])
        for i, code in enumerate(("wi_tab_seats", "wi_tab_budget", "wi_tab_weights", "wi_tab_pins", "wi_tab_dates")):
            controls.set_title(i, t(code))
        controls.selected_index = 0
        buttons = W.HBox([self.apply_button, self.full, self.name, self.save_button, self.export_button])
        self.widget = W.VBox([controls, buttons, self.status, self.cards, self.words, self.details, self.heatmap])
        self.widget.add_class("whatif-app")

    @classmethod
    def start(cls, data, year: int, *, policy=None, scenario=None, district: str | None = None,
              output: str | Path = "reports/what_if", scenario_dir: str | Path = "data/scenarios",
              lang: str | None = None) -> "WhatIfApp":
        """The dashboard for a notebook's parameters (relative paths from the project root): the
        baseline is planned at once; plans go under `output`/plans, exports to `output`. `lang`:
        "en" or "zh" for every label and message, None = the data's language (Chinese names: "zh")."""
        from planning.notebook_api import _ShowProblems, resolve_inputs, resolve_path

        run = resolve_inputs(data, year, policy=policy, scenario=scenario, district=district, output=output)
        run.output.mkdir(parents=True, exist_ok=True)
        with _ShowProblems(say("wi_cannot_start", lang if lang in ("en", "zh") else "en")):
            session = WhatIf.start(run.data, run.year, policy=run.policy, district=run.district,
                                   scenario=run.scenario, workdir=run.output / "plans", lang=lang)
        return cls(session, scenario_dir=resolve_path(scenario_dir, run.root), export_dir=run.output)

    # ------------------------------------------------------------------ the settings
    def change(self) -> Change:
        """The controls' settings as a Change (only what differs from the baseline)."""
        pol = self.session.policy
        cap = []
        for s, sl in self.season.items():
            cap.append(("season", s, sl.value))
        if self.topic.value != ANY:
            cap.append(("topic", self.topic.value, self.topic_factor.value))
        if self.institution.value != ANY:
            cap.append(("institution", self.institution.value, self.institution_factor.value))
        cap = tuple(c for c in cap if abs(c[2] - 1.0) > 1e-9)
        weights = tuple((g, float(w.value)) for g, w in self.weights.items() if w.value != pol[f"priority.{g}"])
        absent = None if abs(self.cap.value - pol["absence.max_absent_share"]) < 1e-9 else round(self.cap.value, 4)
        rules = {self._rule_word(r): r for r in ("must", "must_not")}
        pins = tuple((c, rules.get(r, r), a) for c, r, a in (p.split(" ", 2) for p in self.pin_list.options))
        moves = tuple((m.split(" ")[0], int(m.split(" ")[1])) for m in self.move_list.options)
        return Change(capacity=cap, budget_share=self.budget.value if self.budget_on.value else None,
                      absent_share=absent, priority=weights, windowed=self.windowed.value,
                      pins=tuple((c, a, r) for c, r, a in pins), moves=moves)

    def _add_move(self) -> None:
        """One move per class: a new one replaces the class's earlier move (0 weeks removes it)."""
        others = [m for m in self.move_list.options if m.split(" ")[0] != self.move_class.value]
        entry = ([say("wi_move_entry", self.lang, cls=self.move_class.value, n=self.move_weeks.value)]
                 if self.move_weeks.value else [])
        self.move_list.options = others + entry

    def _remove_move(self) -> None:
        if self.move_list.value:
            self.move_list.options = [m for m in self.move_list.options if m != self.move_list.value]

    def _add_pin(self) -> None:
        entry = f"{self.pin_cadre.value} {self._rule_word(self.pin_rule.value)} {self.pin_class.value}"
        same_pair = [p for p in self.pin_list.options
                     if not (p.split(" ")[0] == self.pin_cadre.value and p.split(" ")[2] == self.pin_class.value)]
        self.pin_list.options = same_pair + [entry]

    def _rule_word(self, rule: str) -> str:
        """A pin's rule as the pin list shows it: the code in English (must, must_not), words in Chinese."""
        return say(f"wi_{rule}", self.lang) if self.lang == "zh" else rule

    def _remove_pin(self) -> None:
        if self.pin_list.value:
            self.pin_list.options = [p for p in self.pin_list.options if p != self.pin_list.value]

    # ------------------------------------------------------------------ the actions
    def _say(self, text: str, kind: str = "info") -> None:
        colour = {"info": "#1f4e79", "error": "#9c0006", "done": "#2e7d32"}[kind]
        self.status.value = f'<div class="whatif-status" style="color:{colour}">{html.escape(text)}</div>'

    def apply(self) -> Outcome | None:
        """Re-plan with the current settings and show the difference."""
        self.apply_button.disabled = True
        self._say(say("wi_replanning", self.lang))
        try:
            o = self.session.apply(self.change(), full=self.full.value)
        except (PlanningError, ValueError) as e:
            self._say(say("wi_not_applied", self.lang, error=e), "error")
            return None
        except Exception as e:  # noqa: BLE001 — shown to the meeting, never a silent failure
            self._say(say("wi_not_applied", self.lang, error=f"{type(e).__name__}: {e}"), "error")
            traceback.print_exc()
            return None
        finally:
            self.apply_button.disabled = False
        self.outcome = o
        self.cards.value = cards_html(o.summary, self.session.base.summary, self.lang)
        self.words.value = "<ul class='whatif-words'>" + "".join(f"<li>{html.escape(s)}</li>" for s in o.sentences) \
            + "</ul>"
        self.details.clear_output()
        with self.details:
            display(figures_table(o))
            if len(o.coverage):
                display(coverage_table(o))
            if len(o.cadres):
                gains = int((o.cadres["change"] == "gains").sum())
                display(W.HTML(f"<b>{html.escape(say('wi_cadres_title', self.lang, gains=gains, loses=len(o.cadres) - gains))}</b>"))
                display(cadres_table(o))
        self.heatmap.clear_output()
        with self.heatmap:
            for chart in absence_charts(self.session.base, o):
                display(chart)
        how = "wi_full_short" if self.full.value else ("wi_quick_warm" if o.warm else "wi_quick")
        self._say(say("wi_replanned", self.lang, seconds=f"{o.seconds:.1f}", how=say(how, self.lang)), "done")
        return o

    def save(self) -> Path | None:
        """The current settings as a scenario file under the scenario folder."""
        try:
            self.saved = self.session.save_scenario(self.change(), self.scenario_dir, safe_name(self.name.value))
        except (PlanningError, ValueError, OSError) as e:
            self._say(say("wi_not_saved", self.lang, error=e), "error")
            return None
        self._say(say("wi_saved", self.lang, path=self.saved), "done")
        return self.saved

    def export(self) -> Path | None:
        """The current plan (or the baseline) as the PDF report."""
        from planning.report import build_report

        res = self.outcome.result if self.outcome else self.session.base
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            out = self.export_dir / f"{safe_name(self.name.value)}.pdf"
            self.exported = build_report(res.out_dir, res.data, self.session.year, out, policy=res.policy,
                                         lang=self.lang)
        except (PlanningError, ValueError, OSError) as e:
            self._say(say("wi_not_exported", self.lang, error=e), "error")
            return None
        self._say(say("wi_exported", self.lang, path=self.exported), "done")
        return self.exported
