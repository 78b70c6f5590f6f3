SELECT * FROM events WHERE day = '{{ ds }}' LIMIT {{ params.limit }}
