"""What `redline app` hands to Solara's server: the page of redline.frontends.app.

A package of its own because Solara looks for page templates in a `templates` folder beside the folder of the module
it serves: here sim/frontends/templates, which holds the page's loading message (index.html.j2, loader-redline.*).
"""

import warnings

from redline.frontends.app import Page, page

# Served over plain http on a classroom address, Solara falls back to lax session cookies (right for a page that is
# not embedded elsewhere), and says so with a long notice on the instructor's terminal at the first page load.
warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

__all__ = ["Page", "page"]
