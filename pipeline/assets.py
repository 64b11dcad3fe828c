"""Airflow assets: what each DAG produces; downstream DAGs are scheduled on them.

One raw asset per source DAG (``raw_<source>``). The transform DAG runs when ANY
of them is updated.
"""

from airflow.sdk import Asset


def _raw(source: str) -> Asset:
    return Asset(name=f"raw_{source}", uri=f"warehouse://raw/{source}")


RAW_DESKPRO = _raw("deskpro")
RAW_WHATSAPP = _raw("whatsapp")
RAW_AVAYA = _raw("avaya")
RAW_EMAIL_LAPOR = _raw("email_lapor")
RAW_META = _raw("meta")
RAW_X = _raw("x")
RAW_GA4 = _raw("ga4")
RAW_CMS = _raw("cms")
RAW_REGISTERS = _raw("registers")

RAW_SOURCES = [RAW_DESKPRO, RAW_WHATSAPP, RAW_AVAYA, RAW_EMAIL_LAPOR, RAW_META, RAW_X, RAW_GA4, RAW_CMS, RAW_REGISTERS]

MARTS = Asset(name="marts", uri="warehouse://marts")
