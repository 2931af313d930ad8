"""The words `planning batch` prints, in English and Chinese (a planning.messages.Catalogue).

The language: ``--lang``, else the manifest's ``lang`` parameter (the notebooks' language), else
the language of the first data set's names (``batch_lang``)."""
from __future__ import annotations

from pathlib import Path

from planning.messages import LANGS, Catalogue, data_lang

EN = {
    "collected": "{n} plans collected into {out}",
    "collected_one": "1 plan collected into {out}",
    "none_found": "no summary.json under {folder}",
    "skipped": "{n} of {total} runs are complete and unchanged: skipped (--force redoes them)",
    "run_line": "{status:<7} {run} ({seconds} s){tail}",
    "done": "{n} runs: {ok} ok, {skipped} skipped (complete and unchanged), {failed} failed, in {seconds} s; "
            "table written to {path}",
    "interrupted": "interrupted: finished runs are kept, the others will run next time",
    # the terminal table's headers
    "col_run": "run", "col_status": "status", "col_seconds": "seconds", "col_plan": "plan", "col_cadres": "cadres",
    "col_met": "met", "col_overdue_covered": "overdue_covered", "col_rotations_filled": "rotations_filled",
    "col_gap": "gap", "col_error": "error",
    # a run's state and outcome, a plan's status
    "st_ok": "ok", "st_failed": "failed", "st_skipped": "skipped", "st_complete": "complete",
    "st_missing": "missing", "st_incomplete": "incomplete", "st_changed": "changed",
    "st_optimal": "optimal", "st_feasible": "feasible", "st_infeasible": "infeasible", "st_error": "error",
}
ZH = {
    "collected": "已汇总{n}个计划至 {out}",
    "none_found": "{folder} 下没有 summary.json",
    "skipped": "{total}次运行中{n}次已完成且输入未变：跳过（--force 重新运行）",
    "run_line": "{status}　{run}（用时{seconds}秒）{tail}",
    "done": "共{n}次运行：成功{ok}次，跳过{skipped}次（已完成且输入未变），失败{failed}次，用时{seconds}秒；汇总表已写入 {path}",
    "interrupted": "已中断：已完成的运行予以保留，其余运行将在下次执行",
    "col_run": "运行", "col_status": "状态", "col_seconds": "用时（秒）", "col_plan": "计划", "col_cadres": "干部人数",
    "col_met": "达标率", "col_overdue_covered": "周期内未参训已安排", "col_rotations_filled": "已安排挂职",
    "col_gap": "差距", "col_error": "错误",
    "st_ok": "成功", "st_failed": "失败", "st_skipped": "跳过", "st_complete": "已完成",
    "st_missing": "未运行", "st_incomplete": "不完整", "st_changed": "输入已变",
    "st_optimal": "最优", "st_feasible": "可行", "st_infeasible": "无可行方案", "st_error": "出错",
}


class Words(Catalogue):
    """`planning batch`'s words: ``w("done", n=4, ...)``, ``w.state("ok")``, ``w.column("met")``."""

    EN, ZH = EN, ZH
    EN_ONLY = frozenset({"collected_one"})  # the singular form (Catalogue says it when n is 1)

    def state(self, name) -> str:
        """A run's state or outcome, a plan's status, in words ('' stays '')."""
        return self._t.get(f"st_{name}", str(name)) if name else ""

    def column(self, name: str) -> str:
        return self._t.get(f"col_{name}", name)


def _names(path: Path) -> list:
    """Cadre and unit names of a data set (a folder of CSV files or a workbook), unvalidated."""
    from planning.data.load import read_raw

    try:
        frames, _ = read_raw(path)
    except Exception:  # an unreadable data set: the batch's runs say what is wrong
        return []
    return [n for t in ("cadres", "units") if t in frames and "name" in frames[t].columns for n in frames[t]["name"]]


def batch_lang(manifest, lang: str | None = None) -> str:
    """--lang, else the manifest's `lang` parameter, else the first data set's language."""
    if lang in LANGS:
        return lang
    given = (manifest.parameters or {}).get("lang")
    if given in LANGS:
        return given
    first = next(iter(manifest.data.values()), None)
    return data_lang(_names(Path(first))) if first is not None else "en"
