{{ employee_advocacy_quarterly_staging('employee_advocacy__headcount', 'headcount_key', 'employees') }}
