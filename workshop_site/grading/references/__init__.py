"""The reference answers, generated from the solutions notebooks (the one source).

``refNN.py`` holds lesson NN's references, written by ``make exercises`` from
``solutions/NN_topic_solutions.ipynb`` (see ``workshop_site.grading.reference_source``):
never edit them, edit the notebook. Each module maps exercise ids to their reference
function (``REFERENCES``) and to the notebook's definitions ``lab.solution()`` shows
(``SHOWN``); ``workshop_site.grading.reference_lookup`` reads them.
"""
