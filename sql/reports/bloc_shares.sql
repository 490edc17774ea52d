-- Shares of each state's cooperation by partner bloc, per year with a tie.
select *
from mart_multivector
order by ccode, year
