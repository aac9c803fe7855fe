"""Grading a class, stage by stage (``course grade``, ``course.grade.grade_class`` runs them in order).

  intake.py      collect the files handed in, unpack zips, match each file to a notebook of the lab, read it
  records.py     the typed records that travel between the stages: ``Task`` (one student's work for a worker),
                 ``Outcome`` (what the worker found), ``Row`` (a line of grades.csv) and its ``Status``
  policy.py      the grading rules applied after autograde, each in one place: the run markers, tampering
  processes.py   running the workers: the warm fork server, a scratch course root per student, time limits, kills
  slots.py       grading slots: one sandbox and warm kernel parent per slot, wiped between its students
  worker.py      inside one worker process: nbgrader autograde, the policy, nbgrader feedback
  feedback.py    what a student may see of a graded notebook (hidden tests' code and markers removed)
  reports.py     grades.csv, scores.json and the summary table

The student's kernel is started by ``course.nbgrader_ext`` (nbgrader's executor, sandboxed, with the judge of
``course.judge`` running the hidden tests outside that kernel).  Settings reach the worker and its executor through
the scratch root's ``nbgrader_config.py`` (``records.Settings``), not through environment variables.
"""
