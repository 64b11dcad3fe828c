{#- The published report's figures, readable by BI tools and the report (bi_reader). -#}
select * from {{ ref('published_report_figures') }}
