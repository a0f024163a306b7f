"""backtesting.py 0.6.6 on a generated CSV: SMA 10/30 reversal (its SmaCross, exclusive orders), all-in, no costs.
Prints one JSON line: bars, seconds (backtest only and whole script), trades, maxRssMB."""
import json, resource, sys, time

t_start = time.perf_counter()
import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA


class SmaCross(Strategy):
    n1 = 10
    n2 = 30

    def init(self):
        self.sma1 = self.I(SMA, self.data.Close, self.n1)
        self.sma2 = self.I(SMA, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.sell()


path = sys.argv[1]
data = pd.read_csv(path, index_col=0, parse_dates=True)
t0 = time.perf_counter()
stats = Backtest(data, SmaCross, cash=1_000_000, commission=0, exclusive_orders=True).run()
engine = time.perf_counter() - t0
print(json.dumps({
    "peer": "backtesting.py",
    "bars": len(data),
    "engineSeconds": engine,
    "wholeSeconds": time.perf_counter() - t_start,
    "trades": int(stats["# Trades"]),
    "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
