"""A small hand-checkable council: inputs as files, as a finance officer would export them."""

from __future__ import annotations

from pathlib import Path

# The ledger of April to September 2018, every period posted: placements as the care happens (C1
# at £910 a week = £130 a day from 1 May, C2 at £3,500 = £500 a day), pay and running costs evenly.
DAYS = {"2018-04": 30, "2018-05": 31, "2018-06": 30, "2018-07": 31, "2018-08": 31, "2018-09": 30}
MONTHS = [
    (f"{p},IFA1,5000,{130 * d},IFA\n" if p >= "2018-05" else "")
    + f"{p},RES1,5000,{500 * d},Home\n{p},SW1,1000,50000,Pay\n{p},RUN1,4000,10000,Running\n"
    for p, d in DAYS.items()
]
FILES = {
    "cost_centres.csv": "COST_CENTRE,SERVICE_LINE\nIFA1,placements_ifa\nRES1,placements_residential\n"
    "SW1,staffing\nRUN1,other_costs\n",
    "budget.csv": "FINANCIAL_YEAR,SERVICE_LINE,BUDGET\n2018-19,placements_ifa,40000\n"
    "2018-19,placements_residential,100000\n2018-19,staffing,500000\n2018-19,other_costs,100000\n",
    "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/01/2008,WBRI,,,\n"
    "C2,2,01/02/2001,WBRI,,,\n",
    "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\nC1,01/05/2018,S,C2,N1,U4,PR4,,,,,,\nC2,01/05/2017,S,C2,N1,K2,PR4,,,,,,\n",
    "placement_costs.csv": "CHILD,PLACEMENT_TYPE,PROVIDER,START_DATE,END_DATE,WEEKLY_COST,"
    "CONTRIBUTION_PCT,COST_CENTRE\nC1,placements_ifa,Agency,2018-05-01,,910,,IFA1\n"
    "C2,placements_residential,Home,2017-05-01,,3500,,RES1\n",
    "gl_actuals.csv": "PERIOD,COST_CENTRE,ACCOUNT,AMOUNT,DESCRIPTION\n" + "".join(MONTHS),
    "establishment.csv": "POST_ID,TEAM,ROLE,FTE,STATUS,ANNUAL_COST\nP1,Safeguarding,SW,1,agency,73000\n",
}
# Hand-computed forecast at 2018-09 (182 days left), the ledger following the care:
# IFA 130 × 153 days = 19,890 + 910 × 26 = 43,550;
# residential 500 × 183 days = 91,500 + 3,500 × 123 / 7 (C2 turns 18 on 1 February 2019) = 153,000;
# staffing 300,000 + 73,000 × 182 / 365 = 336,400; other costs 60,000 + 60,000 = 120,000.
EXPECTED_OUTTURN = {
    "placements_ifa": 43550.0,
    "placements_residential": 153000.0,
    "staffing": 336400.0,
    "other_costs": 120000.0,
}


def write_small_council(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
