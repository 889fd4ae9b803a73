"""What `redline app` hands to Solara's server: the page of redline.frontends.app.

A package of its own because Solara looks for page templates in a `templates` folder beside the folder of the module
it serves: here sim/frontends/templates, which holds the page's loading message (index.html.j2, loader-redline.*).
"""

from redline.frontends.app import Page, page

__all__ = ["Page", "page"]
