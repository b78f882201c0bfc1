"""`sop serve`: the runner behind a phone-sized web page.

One request is one answer. The page's form is turned into a reply by the
web driver (`driver.py`), the same `Driver` interface the terminal
implements; the runner takes the run up from the journal
(`Runner.carry_on`), files the answer, goes on to the next question and
holds there (`Command("hold")`), so every answer is committed before the next
page is sent. `app.py` is the Starlette application, `pages.py` what a page
shows, the templates are `engine/templates/web/`. Starlette, uvicorn and
python-multipart come with the `sop[web]` extra and are imported only here.
"""
