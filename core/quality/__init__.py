"""How good the analyst's judgement is: labelled evaluations, calibration and (later) what
the team's decisions teach it."""
