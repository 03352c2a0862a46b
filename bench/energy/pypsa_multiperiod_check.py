"""Cross-check of rsm_energy::periods against PyPSA multi-investment on the two-period
example of the test `two_periods_build_as_demand_grows` (expected objective 75,000).
With PyPSA 1.4.0, linopy 0.10.1 and xarray 2026.9 in the benchmark venv this fails inside
linopy/xarray ("conflicting MultiIndex level / variable name(s): period, timestep"), so the
cross-check has not been made yet."""
import warnings, logging
warnings.simplefilter("ignore"); logging.disable(logging.CRITICAL)
import pandas as pd, pypsa
n = pypsa.Network()
n.set_snapshots(pd.MultiIndex.from_product([[2030, 2040], [0]]))
n.investment_periods = [2030, 2040]
n.snapshot_weightings.loc[:, :] = 365.0
n.investment_period_weightings.loc[:, "objective"] = [1.0, 0.5]
n.investment_period_weightings.loc[:, "years"] = [10, 10]
n.add("Bus", ["AA_A", "BB_B"])
n.add("Generator", "field", bus="AA_A", p_nom=1000, marginal_cost=10)
n.add("Generator", "local", bus="BB_B", p_nom=1000, marginal_cost=100)
for y in [2030, 2040]:
    n.add("Link", f"new_{y}", bus0="AA_A", bus1="BB_B", p_nom_extendable=True, capital_cost=100, build_year=y, lifetime=float("inf"))
n.add("Load", "d", bus="BB_B", p_set=pd.Series([10.0, 20.0], index=n.snapshots))
n.optimize(multi_investment_periods=True, solver_name="highs", solver_options={"output_flag": False})
print("objective", n.objective, dict(n.links.p_nom_opt))
