{{ employee_advocacy_quarterly_staging('employee_advocacy__targets', 'targets_key', 'target_employees') }}
