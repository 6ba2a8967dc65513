"""The lessons' example code: each example's naive and fixed versions, one module per lesson.

A notebook calls these functions and shows their source (``lab.show_source``); the tests
(``tests/test_lessons_*.py``) assert every figure the notebook's prose states on the same
functions. The modules import the shop's models: import them after ``lab.start()``.
"""
