"""Settings for bench/bench_web.py: the app's own, plus Django's hello-world page at /bench/hello/
as the baseline measured on the same server in the same run."""

from governance import settings as app_settings

globals().update({name: value for name, value in vars(app_settings).items() if name.isupper()})
ROOT_URLCONF = "bench.web_urls"
