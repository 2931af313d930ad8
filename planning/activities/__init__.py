"""The year around the classes: pairing and monthly talks, collective learning, online hours,
and the two-way evaluation of training (issue 19).

    from planning.activities import run_activities
    res = run_activities("data/sample", "plans/2027", 2027, out="activities/2027")

Modules: availability (who is free when: the core calendar plus the annual plan), pairing
(the mentor assignment model), schedule (seminars, exchanges, talks), evaluation (online
hours, scorecards, trainee ratings), export (.ics calendars, Excel), check (the independent
check), report (PDF), run (the recipe).
"""
from __future__ import annotations

from planning.activities.evaluation import (institution_scorecards, low_rated_institutions, online_hours,
                                            trainee_rating_summary)
from planning.activities.run import ActivitiesResult, plan_activities, run_activities

__all__ = ["ActivitiesResult", "institution_scorecards", "low_rated_institutions", "online_hours",
           "plan_activities", "run_activities", "trainee_rating_summary"]
