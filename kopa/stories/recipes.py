"""Recipe quantities for display, in the units the reader chose (a GET parameter, no JavaScript).

"as told" keeps the teller's units; "metric" turns cups and spoons into millilitres (and large
amounts into litres and kilograms); "cups" turns millilitres and litres into cups and spoons.
Mass is never turned into volume: that needs each ingredient's density, which a recipe told at a
soup kitchen does not give.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from kopa.stories.models import Ingredient

Unit = Ingredient.Unit

SYSTEMS = {
    "told": _("As told"),
    "metric": _("Grams and millilitres"),
    "cups": _("Cups and spoons"),
}
DEFAULT_SYSTEM = "told"

ML_PER = {
    Unit.ML: Decimal(1),
    Unit.L: Decimal(1000),
    Unit.CUP: Decimal(240),
    Unit.TBSP: Decimal(15),
    Unit.TSP: Decimal(5),
}
G_PER = {Unit.G: Decimal(1), Unit.KG: Decimal(1000)}
NICE_FRACTIONS = {
    Fraction(1, 4): "¼",
    Fraction(1, 3): "⅓",
    Fraction(1, 2): "½",
    Fraction(2, 3): "⅔",
    Fraction(3, 4): "¾",
}


@dataclass(frozen=True)
class Amount:
    quantity: str
    unit: str  # a Unit value


def system_from(value: str | None) -> str:
    return value if value in SYSTEMS else DEFAULT_SYSTEM


def decimal_text(value: Decimal) -> str:
    """2.50 → "2.5", 1000.00 → "1000"."""
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:f}"


def fraction_text(value: Decimal) -> str:
    """A kitchen amount: 1.5 → "1 ½", 0.33 → "⅓"; otherwise one decimal."""
    whole = int(value)
    rest = value - whole
    if rest < Decimal("0.06"):
        return str(whole) if whole else decimal_text(value)
    nearest = min(NICE_FRACTIONS, key=lambda f: abs(Decimal(f.numerator) / f.denominator - rest))
    if abs(Decimal(nearest.numerator) / nearest.denominator - rest) < Decimal("0.05"):
        return f"{whole} {NICE_FRACTIONS[nearest]}" if whole else NICE_FRACTIONS[nearest]
    return decimal_text(value.quantize(Decimal("0.1")))


def convert(quantity: Decimal | None, unit: str, system: str) -> Amount:
    if quantity is None:
        return Amount("", unit)
    if system == "metric":
        if unit in ML_PER:
            ml = quantity * ML_PER[unit]
            if ml >= 1000:
                return Amount(decimal_text(ml / 1000), Unit.L)
            return Amount(decimal_text(ml.quantize(Decimal(1))), Unit.ML)
        if unit in G_PER:
            grams = quantity * G_PER[unit]
            if grams >= 1000:
                return Amount(decimal_text(grams / 1000), Unit.KG)
            return Amount(decimal_text(grams), Unit.G)
    if system == "cups" and unit in ML_PER:
        ml = quantity * ML_PER[unit]
        if ml >= 60:
            return Amount(fraction_text(ml / ML_PER[Unit.CUP]), Unit.CUP)
        if ml >= 15:
            return Amount(fraction_text(ml / ML_PER[Unit.TBSP]), Unit.TBSP)
        return Amount(fraction_text(ml / ML_PER[Unit.TSP]), Unit.TSP)
    if unit in (Unit.CUP, Unit.TBSP, Unit.TSP):
        return Amount(fraction_text(quantity), unit)
    return Amount(decimal_text(quantity), unit)


def unit_label(unit: str) -> str:
    """The unit's short name; pieces are counted without one ("2 onions", not "2 piece")."""
    return str(Unit(unit).label) if unit and unit != Unit.PIECE else ""


def iso_duration(minutes: int | None) -> str:
    """schema.org wants ISO 8601 durations: 90 → PT1H30M."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")
