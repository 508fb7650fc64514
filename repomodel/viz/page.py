"""The browser page: the model live in Mesa's SolaraViz parts (`repomodel viz` serves it).

Left, Mesa's controls (▶ / ❚❚, Step, Reset, the play and render intervals) and the model's
parameters; right, today's key figures over the network, and the series over time. The
drawings are made elsewhere (`key_figures`, `network`, `charts`); the controls and the model
they build in `controls`; serving in `serve`.

The page is composed from Mesa's `ModelController` and `ModelCreator` rather than handed to
`SolaraViz` whole, which would add a "Use Threads" box (stepping in a thread only makes the
views skip days here) and a tab bar whose single tab reads "Page 0".
"""

from __future__ import annotations

import os

import solara
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from repomodel.viz.charts import corridor_svg, reserves_svg, spread_svg
from repomodel.viz.controls import VizModel, control_specs, scenario_choices
from repomodel.viz.key_figures import key_figures_html
from repomodel.viz.network import network_svg
from repomodel.viz.serve import SCENARIO_ENV
from repomodel.viz.state import bank_reserves_and_lclor

PLAY_INTERVAL_MS = 20
RENDER_INTERVAL_DAYS = 1
TITLE = "repomodel · US repo and reserves"
GRID_STYLE = "display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:16px;width:100%"
SLIDER_CSS = """
.v-slider__thumb-label-container { display: block !important; }
.v-application .v-slider .v-slider__thumb-label {
  transform: translateY(-17px) translateX(-50%) !important; border-radius: 3px !important;
  width: auto !important; height: 13px !important; padding: 0 3px; font-size: 10px;
  background: transparent !important; color: #1565c0 !important;
}
.v-slider__thumb-label > * { transform: none !important; }
"""


def network_view(model: VizModel) -> str:
    return network_svg(model.picture, *bank_reserves_and_lclor(model))


# Mesa re-renders every view it wraps once per step, and each such render walks the page's
# whole widget tree (~12 ms each). So each column here draws once, then listens to Mesa's
# step counter and writes the new drawings straight into its widgets: one message per widget.
TODAY = [("key-figures", key_figures_html), ("network", network_view)]
OVER_TIME = [("corridor", corridor_svg), ("spread", spread_svg), ("reserves", reserves_svg)]


@solara.component
def Drawings(model: VizModel, parts: list):
    """A column of `parts` (name, draw) of the model, redrawn after every step."""
    widgets = solara.use_memo(lambda: [solara.widgets.HTML(tag="div") for _ in parts], [])

    def follow_steps():
        def redraw(_counter=None):
            for widget, (name, draw) in zip(widgets, parts, strict=True):
                with widget.hold_sync():
                    widget.unsafe_innerHTML = draw(model)
                    # data-day: the day drawn, so a test or benchmark knows when a view is current;
                    # white under the drawings, so they read the same in the dark theme.
                    widget.attributes = {
                        "id": f"rm-{name}",
                        "data-day": str(model.t),
                        "style": "width:100%;background:#fff;color:#222",
                    }

        redraw()
        return update_counter.subscribe(redraw)

    solara.use_effect(follow_steps, [model])
    solara.use_effect(lambda: lambda: [w.close() for w in widgets], [])
    return solara.Column(gap="4px", children=widgets)


@solara.component
def Controls(model: solara.Reactive, opening: str):
    """Mesa's controller and model creator: Step, ▶, Reset with the parameters shown."""
    parameters = solara.use_reactive({})
    play = solara.use_reactive(PLAY_INTERVAL_MS)
    render = solara.use_reactive(RENDER_INTERVAL_DAYS)
    threads = solara.use_reactive(False)
    with solara.Card("Controls"):
        solara.SliderInt("Play interval (ms)", value=play, min=10, max=500, step=10)
        solara.SliderInt("Render interval (days)", value=render, min=1, max=20, step=1)
        ModelController(
            model,
            model_parameters=parameters,
            play_interval=play,
            render_interval=render,
            use_threads=threads,
        )
    with solara.Card("Model parameters"):
        ModelCreator(
            model, control_specs(model.value, scenario_choices(opening)), model_parameters=parameters
        )


@solara.component
def Page():
    """The page of one browser session: its own model, rebuilt by Reset."""
    opening = os.environ.get(SCENARIO_ENV, "rmp40")
    model = solara.use_memo(lambda: solara.reactive(VizModel(scenario_choice=opening)), [])
    current = model.value
    solara.Title(f"{current.scenario_name} · {TITLE}")
    # Vuetify shows a slider's value only while it is dragged; show it always, small.
    solara.Style(SLIDER_CSS)
    with solara.AppBar():
        solara.AppBarTitle(f"{TITLE} · {current.scenario_name}")
        solara.lab.ThemeToggle()
    with solara.Sidebar():
        # Keyed by scenario and start: choosing another remounts the controls with its values (and,
        # for the start, the months and controls it offers).
        Controls(model, opening).key(f"controls-{current.scenario_choice}-{current.start}")
    # Two columns where there is room for both at a readable size, one above the other otherwise.
    with solara.Div(style=GRID_STYLE):
        Drawings(current, TODAY)
        Drawings(current, OVER_TIME)
