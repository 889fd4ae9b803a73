"""The front ends: plots, the command line, the classroom app, games, and EMA Workbench.

plots, plotstyle, plot_network and plotfiles (the figures, and the files of a results folder made for people); cli
and commands (`redline ...`: its flags, and what each command does); app, app_views, app_assets and app_server
(`redline app`, the page in the browser); play (a game in which a person takes one actor's decisions); debrief,
compare and describe (texts about results and scenarios); ema (a scenario as an EMA Workbench model).
"""
