"""Running a whole term: one module per stage, each policy in one place.

intake     what an LMS export holds: Canvas, Moodle (folders or flat), Blackboard, GitHub Classroom, plain folders
roster     who is in the class (ids, names, e-mail, SIS ids), from a roster CSV or the LMS's own gradebook CSV
late       due dates, per-student extensions and the late policy (course.toml [labs.<id>] and [late])
record     what `course grade` learnt about each student (output folder's students.json)
gradebook  the class gradebook of a lab: nbgrader's layout and database, merged after grading
marks      the marking sheet for the manually graded answers, and feedback regenerated with the marks
export     per-student totals for Canvas, Moodle and a plain CSV
report     the class report (one self-contained HTML page)
"""
