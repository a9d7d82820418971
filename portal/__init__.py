"""The top floor: the site's URL map, the home page that sends each user where they work, the
territory page (leaders), the demo city seed.

Everything here combines several apps; no app below imports portal.
"""
