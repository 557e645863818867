"""Prompt templates of the SIMULATED benchmarks (no real prompt is here).

Each dataset's builder turns (sub-task, difficulty level, random integers) into prompt texts in
that dataset's style: MMLU's "The following are multiple choice questions (with answers) about
<subject>.", GSM8K word problems, HellaSwag endings, Winogrande blanks, ARC science questions,
MBPP "Write a python function to ...", MT-Bench open questions in its 8 categories, and the RAG
set's search queries. The level word (:data:`LEVELS`) and the number of extra clauses are the
prompt's visible difficulty cues; :mod:`routerlib.data.simulate` decides the levels and the
outcomes, this module only writes text.

* :data:`TEXTS` -- dataset -> (sub-task names, builder ``f(topic (n,), level (n,), R (n, 12)) -> list[str]``)
* :data:`MMLU_SUBJECTS` -- the 57 subjects with their real test sizes and keywords
* :func:`rag_texts`, :data:`RAG_TOPICS` -- the simulated RAG queries

>>> import numpy as np
>>> names, build = TEXTS["mbpp"]
>>> print(build(np.array([0]), np.array([0]), np.zeros((1, 12), dtype=int))[0].splitlines()[1])
Write a python function to count the vowels in a given string.
"""

from __future__ import annotations

__all__ = ["LEVELS", "TEXTS", "MMLU_SUBJECTS", "RAG_TOPICS", "rag_texts"]

LEVELS = ("introductory", "standard", "advanced", "expert-level")

# subject -> (real test rows, keywords); the 57 MMLU subjects (sum of rows 14,042)
MMLU_SUBJECTS = {
    "abstract_algebra": (100, "group homomorphisms|cyclic subgroups|field extensions|ring ideals|permutation groups"),
    "anatomy": (135, "the cranial nerves|the femur|cardiac muscle|the lymphatic system|the vertebral column"),
    "astronomy": (152, "red giants|orbital periods|the solar wind|the Hubble constant|exoplanet transits"),
    "business_ethics": (100, "stakeholder theory|corporate social responsibility|whistleblowing|insider trading|fair trade"),
    "clinical_knowledge": (265, "blood pressure measurement|wound healing|catheter care|pulse oximetry|fluid balance"),
    "college_biology": (144, "mitochondrial respiration|gene expression|meiosis|enzyme kinetics|natural selection"),
    "college_chemistry": (100, "reaction enthalpy|molecular orbitals|equilibrium constants|oxidation states|buffer solutions"),
    "college_computer_science": (100, "hash tables|time complexity|context-free grammars|cache coherence|graph traversal"),
    "college_mathematics": (100, "eigenvalues|power series|linear transformations|improper integrals|prime factorization"),
    "college_medicine": (173, "glucose metabolism|action potentials|renal clearance|the immune response|hormone regulation"),
    "college_physics": (102, "angular momentum|electric fields|wave interference|thermal equilibrium|the Lorentz force"),
    "computer_security": (100, "buffer overflows|public-key encryption|SQL injection|certificate authorities|side-channel attacks"),
    "conceptual_physics": (235, "inertia|friction|buoyancy|sound waves|heat transfer"),
    "econometrics": (114, "ordinary least squares|heteroskedasticity|autocorrelation|instrumental variables|unit roots"),
    "electrical_engineering": (145, "transistor amplifiers|Ohm's law|capacitor charging|signal bandwidth|induction motors"),
    "elementary_mathematics": (378, "fractions|place value|perimeter|ratios|long division"),
    "formal_logic": (126, "modus ponens|truth tables|predicate logic|valid arguments|logical equivalence"),
    "global_facts": (100, "world population|literacy rates|global GDP|life expectancy|carbon emissions"),
    "high_school_biology": (310, "photosynthesis|the cell membrane|DNA replication|food chains|homeostasis"),
    "high_school_chemistry": (203, "the periodic table|covalent bonds|molarity|acid-base reactions|the ideal gas law"),
    "high_school_computer_science": (100, "loops|binary numbers|boolean expressions|arrays|recursion"),
    "high_school_european_history": (165, "the Reformation|the French Revolution|the Congress of Vienna|the Enlightenment|industrialization"),
    "high_school_geography": (198, "urbanization|climate zones|population pyramids|plate tectonics|migration"),
    "high_school_government_and_politics": (193, "the separation of powers|the Electoral College|judicial review|federalism|interest groups"),
    "high_school_macroeconomics": (390, "inflation|fiscal policy|the money supply|aggregate demand|unemployment"),
    "high_school_mathematics": (270, "quadratic equations|probability|polynomials|similar triangles|exponential growth"),
    "high_school_microeconomics": (238, "price elasticity|marginal cost|monopoly pricing|consumer surplus|opportunity cost"),
    "high_school_physics": (151, "velocity|Newton's laws|electric circuits|projectile motion|momentum"),
    "high_school_psychology": (545, "classical conditioning|short-term memory|cognitive dissonance|developmental stages|neurotransmitters"),
    "high_school_statistics": (216, "standard deviation|sampling distributions|confidence intervals|hypothesis tests|regression lines"),
    "high_school_us_history": (204, "the New Deal|the Civil War|Reconstruction|the Progressive Era|the Cold War"),
    "high_school_world_history": (237, "the Silk Road|colonialism|the Ottoman Empire|decolonization|the Mongol Empire"),
    "human_aging": (223, "cognitive decline|retirement|longevity|dementia|bone density"),
    "human_sexuality": (131, "sexual orientation|reproductive health|gender identity|contraception|attachment"),
    "international_law": (121, "state sovereignty|the Geneva Conventions|customary law|treaty obligations|diplomatic immunity"),
    "jurisprudence": (108, "legal positivism|natural law|legal realism|the rule of law|judicial precedent"),
    "logical_fallacies": (163, "the straw man|ad hominem attacks|false dilemmas|slippery slopes|begging the question"),
    "machine_learning": (112, "overfitting|gradient descent|support vector machines|regularization|the bias-variance trade-off"),
    "management": (103, "organizational structure|leadership styles|motivation theory|span of control|strategic planning"),
    "marketing": (234, "market segmentation|brand equity|the marketing mix|consumer behaviour|pricing strategy"),
    "medical_genetics": (100, "autosomal dominant inheritance|point mutations|chromosomal disorders|genetic screening|allele frequencies"),
    "miscellaneous": (783, "famous landmarks|popular culture|everyday science|world capitals|sports records"),
    "moral_disputes": (346, "euthanasia|animal rights|capital punishment|moral relativism|free speech"),
    "moral_scenarios": (895, "breaking a promise|lying to a friend|returning a lost wallet|cheating on a test|helping a stranger"),
    "nutrition": (306, "dietary fibre|vitamin deficiency|protein intake|energy balance|micronutrients"),
    "philosophy": (311, "utilitarianism|the mind-body problem|free will|Kantian ethics|epistemology"),
    "prehistory": (324, "the Neolithic revolution|hunter-gatherers|early hominins|megalithic monuments|animal domestication"),
    "professional_accounting": (282, "depreciation|accrual accounting|revenue recognition|deferred taxes|lease obligations"),
    "professional_law": (1534, "contract formation|negligence|hearsay evidence|adverse possession|criminal intent"),
    "professional_medicine": (272, "differential diagnosis|drug interactions|acute chest pain|antibiotic therapy|diagnostic imaging"),
    "professional_psychology": (612, "psychological assessment|therapy ethics|test validity|cognitive behavioural therapy|diagnostic criteria"),
    "public_relations": (110, "crisis communication|media relations|press releases|public opinion|reputation management"),
    "security_studies": (245, "nuclear deterrence|collective security|terrorism|arms control|the security dilemma"),
    "sociology": (201, "social stratification|socialization|deviance|social mobility|bureaucracy"),
    "us_foreign_policy": (100, "the Monroe Doctrine|containment|NATO|foreign aid|the War Powers Resolution"),
    "virology": (166, "viral replication|vaccines|retroviruses|viral transmission|antiviral drugs"),
    "world_religions": (171, "Buddhism|Hinduism|Islam|Judaism|Christianity"),
}
_MMLU_NAMES = list(MMLU_SUBJECTS)
_MMLU_KW = [v[1].split("|") for v in MMLU_SUBJECTS.values()]

_MMLU_STEMS = [
    "Which of the following best describes {a}?",
    "Which of the following statements about {a} is correct?",
    "What is the primary relationship between {a} and {b}?",
    "A researcher studying {a} observes an unexpected change in {b}. Which explanation is most consistent with this observation?",
    "Which of the following is NOT typically associated with {a}?",
    "In {subj}, why is {a} important when analysing {b}?",
    "Which of the following would most likely follow from a change in {a}?",
]
_MMLU_EXTRA = [
    "Assume that {c} remains unchanged.",
    "Take into account the interaction with {b}.",
    "Consider the most general case rather than a textbook example.",
    "More than one option may seem plausible; choose the best one.",
    "The answer must be consistent with what is known about {c}.",
]
_OPT_MODS = [
    "an increase in", "a decrease in", "no change in", "a reversal of", "the absence of",
    "a dependence on", "a direct consequence of", "a special case of", "a misreading of",
]
_ARTICLE = {"introductory": "an", "standard": "a", "advanced": "an", "expert-level": "an"}


def _pick(options, x):
    return options[int(x) % len(options)]


def _n_extra(level: int, x) -> int:
    return level + int(x) % 2  # 0..4 extra clauses, more for harder prompts


def _mmlu_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        k, lv, r = int(topic[i]), int(level[i]), R[i]
        subj = _MMLU_NAMES[k].replace("_", " ")
        kw = _MMLU_KW[k]
        a, b, c = _pick(kw, r[0]), _pick(kw, r[0] + 1 + r[1] % 4), _pick(kw, r[2])
        stem = _pick(_MMLU_STEMS, r[3]).format(a=a, b=b, subj=subj)
        extras = " ".join(_pick(_MMLU_EXTRA, r[4] + e).format(b=b, c=c) for e in range(_n_extra(lv, r[5])))
        opts = "\n".join(
            f"{L}. {_pick(_OPT_MODS, r[6] + 3 * q)} {_pick(kw, r[7] + q)}" for q, L in enumerate("ABCD")
        )
        word = LEVELS[lv]
        out.append(
            f"The following are multiple choice questions (with answers) about {subj}.\n\n"
            f"This is {_ARTICLE[word]} {word} question. {stem} {extras}".rstrip()
            + f"\n{opts}\nAnswer:"
        )
    return out


_NAMES = ["Janet", "Carlos", "Aisha", "Tom", "Mei", "Ravi", "Olga", "Marcus", "Lena", "Kofi",
          "Sofia", "Hiro", "Priya", "Ben", "Fatima", "Lucas"]
_ITEMS = ["notebook", "cupcake", "toy car", "pencil", "ticket", "plant", "book", "shirt",
          "sandwich", "marble", "candle", "puzzle"]
_GSM_TOPICS = ["money", "time", "geometry", "rates", "percentages", "fractions"]
_GSM_FACTS = {
    "money": [
        "{n} buys {x} {it}s for ${y} each.", "{n} has ${z} in savings.",
        "A {it} costs ${y} more than a {it2}.", "{n} earns ${y} per hour babysitting.",
        "{m} gives {n} ${x} as a gift.", "Shipping adds ${y} to the order.",
        "{n} sells {x} {it2}s at ${y} apiece.",
    ],
    "time": [
        "{n} spends {z} minutes reading every day.", "The bus ride takes {y} minutes longer than the walk.",
        "{n} practises piano for {x} hours on weekends.", "A movie lasts {x} hours and {y} minutes.",
        "{n} starts homework at {x} o'clock.", "{m} needs {y} minutes to cook dinner.",
        "Each lap around the track takes {n} {x} minutes.",
    ],
    "geometry": [
        "A rectangular garden is {z} feet long and {y} feet wide.", "Each side of a square tile is {x} inches.",
        "{n} builds a fence around a field with a perimeter of {z} meters.", "A circular pool has a radius of {x} feet.",
        "The triangle has a base of {y} cm and a height of {x} cm.", "A box is {x} inches tall and {y} inches wide.",
        "{m} paints a wall that is {y} feet across.",
    ],
    "rates": [
        "{n} drives at {z} miles per hour.", "A printer prints {y} pages per minute.",
        "{n} can paint {x} fences in {y} hours.", "A faucet fills {y} liters every minute.",
        "{m} walks {x} miles each morning.", "A machine packs {z} {it}s per hour.",
        "{n} types {z} words in {x} minutes.",
    ],
    "percentages": [
        "A store offers a {p}% discount on {it}s.", "{n} scored {p}% on the first test.",
        "The price of a {it} rose by {p}% this year.", "{p}% of the {z} students joined the club.",
        "Sales tax is {x}%.", "{m} saves {p}% of a ${z} paycheck.",
        "The team won {p}% of its {y} games.",
    ],
    "fractions": [
        "{n} ate 1/{x} of the {z} cookies.", "Half of the {z} apples are red.",
        "{m} used 2/{x} of the rope.", "A third of the class walks to school.",
        "{n} gives away 1/{x} of the remaining {it}s.", "Three quarters of the {y} seats are taken.",
        "{m} pours 1/{x} of the juice into a jug.",
    ],
}
_GSM_QUESTIONS = {
    "money": ["How much money does {n} have left?", "How many dollars does {n} spend in total?"],
    "time": ["How many minutes does {n} spend in a week?", "At what time does {n} finish?"],
    "geometry": ["What is the total area in square feet?", "How many tiles does {n} need?"],
    "rates": ["How long will it take to finish the job?", "How far does {n} travel in total?"],
    "percentages": ["What is the final price in dollars?", "How many students did not join?"],
    "fractions": ["How many are left at the end?", "How many does {n} keep?"],
}


def _gsm_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        t, lv, r = _GSM_TOPICS[int(topic[i])], int(level[i]), R[i]
        n, m = _pick(_NAMES, r[0]), _pick(_NAMES, r[0] + 1 + r[1] % 7)
        it, it2 = _pick(_ITEMS, r[2]), _pick(_ITEMS, r[2] + 1 + r[3] % 5)
        steps = 2 + lv + int(r[4]) % 2  # 2..6 facts, more for harder problems
        facts = _GSM_FACTS[t]
        vals = dict(n=n, m=m, it=it, it2=it2)
        sent = []
        for s in range(steps):
            vals.update(x=2 + (r[5] >> s) % 9, y=3 + (r[6] >> s) % 17, z=20 + (r[7] >> s) % 180, p=5 * (1 + (r[8] >> s) % 15))
            sent.append(_pick(facts, r[9] + 3 * s).format(**vals))
        q = _pick(_GSM_QUESTIONS[t], r[10]).format(n=n)
        word = LEVELS[lv]
        out.append(
            f"Solve {_ARTICLE[word]} {word} math word problem.\nQuestion: {' '.join(sent)} {q}\n"
            f"Answer: Let's think step by step."
        )
    return out


_HS_CATS = {
    "cooking": (["Making a sandwich", "Baking cookies", "Preparing pasta", "Grilling vegetables"],
                ["slices the bread on a wooden board", "mixes flour and butter in a bowl", "stirs a pot of boiling water", "places peppers on the grill"],
                ["kitchen", "backyard", "small apartment"]),
    "sports and fitness": (["Playing tennis", "Lifting weights", "Doing yoga", "Running a marathon"],
                           ["serves the ball across the net", "adjusts the plates on the bar", "stretches slowly on a mat", "jogs past a cheering crowd"],
                           ["gym", "park", "stadium"]),
    "home and garden": (["Mowing the lawn", "Painting a fence", "Planting flowers", "Cleaning windows"],
                        ["pushes the mower along the edge", "dips a brush into white paint", "digs a small hole in the soil", "sprays cleaner on the glass"],
                        ["front yard", "garden", "porch"]),
    "personal care": (["Brushing teeth", "Braiding hair", "Shaving", "Applying makeup"],
                      ["squeezes toothpaste onto a brush", "separates the hair into three strands", "spreads foam across the chin", "dabs foundation onto a sponge"],
                      ["bathroom", "salon", "bedroom"]),
    "arts and crafts": (["Knitting a scarf", "Making pottery", "Drawing a portrait", "Folding origami"],
                        ["loops yarn around the needle", "shapes clay on a spinning wheel", "sketches an outline with a pencil", "creases a square sheet of paper"],
                        ["studio", "living room", "classroom"]),
    "vehicles": (["Changing a tire", "Washing a car", "Fixing a bike", "Parking a truck"],
                 ["loosens the lug nuts with a wrench", "sprays soap over the hood", "tightens the bicycle chain", "backs slowly toward the loading dock"],
                 ["driveway", "garage", "parking lot"]),
    "pets and animals": (["Grooming a dog", "Feeding fish", "Riding a horse", "Walking a cat"],
                         ["brushes the dog's fur gently", "sprinkles flakes into the tank", "pulls on the reins", "clips a leash to the harness"],
                         ["veterinary clinic", "farm", "pet store"]),
}
_HS_NAMES = list(_HS_CATS)
_HS_PEOPLE = ["A man", "A woman", "A young girl", "A boy", "An older man", "A teenager", "A chef", "An athlete"]
_HS_EXTRA = [
    "The camera cuts to a close-up of the hands.", "Someone in the background is talking.",
    "Text on the screen shows the next step.", "The person pauses and looks at the camera.",
    "Music plays softly while the scene changes.",
]
_HS_ENDINGS = [
    "continues carefully until the task is finished.", "puts everything down and walks out of the frame.",
    "starts juggling three oranges in the air.", "explains the next step while pointing at the tools.",
    "suddenly jumps into a swimming pool.", "repeats the same motion on the other side.",
    "smiles and shows the finished result to the camera.", "falls asleep on the couch.",
]


def _hellaswag_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        cat, lv, r = _HS_NAMES[int(topic[i])], int(level[i]), R[i]
        labels, acts, places = _HS_CATS[cat]
        j = int(r[0]) % len(labels)
        who = _pick(_HS_PEOPLE, r[1])
        noun = who.split()[-1].lower()
        extras = " ".join(_pick(_HS_EXTRA, r[2] + e) for e in range(_n_extra(lv, r[3])))
        ends = "\n".join(f"{L}. {_pick(_HS_ENDINGS, r[4] + 2 * q)}" for q, L in enumerate("ABCD"))
        word = LEVELS[lv]
        out.append(
            f"Pick the most plausible ending ({word} item).\n{labels[j]}: {who} is in the {_pick(places, r[5])}. "
            f"The {noun} {acts[j]}. {extras} Then the {noun}...".replace("  ", " ")
            + f"\n{ends}\nAnswer:"
        )
    return out


_WG_CATS = {
    "social situations": [
        "{a} apologized to {b} after the argument because _ felt guilty about it.",
        "{a} invited {b} to the party, since _ had just moved to town.",
        "{a} always lends money to {b} because _ is generous.",
    ],
    "physical objects": [
        "The {o1} did not fit in the {o2} because the _ was too large.",
        "{a} put the {o1} on top of the {o2} because the _ was lighter.",
        "The {o1} broke when it hit the {o2} because the _ was fragile.",
    ],
    "food and cooking": [
        "{a} asked {b} for the recipe because _ cooks the best soup.",
        "The soup needed more salt than the stew, so _ was bland.",
        "{a} ate the salad while {b} ate cake, because _ was on a diet.",
    ],
    "work and school": [
        "{a} helped {b} with the homework because _ understood the lesson.",
        "{a} got the promotion instead of {b} because _ worked harder.",
        "{a} studied less than {b}, so _ failed the exam.",
    ],
    "emotions and health": [
        "{a} visited {b} in the hospital because _ was feeling sick.",
        "{a} was calmer than {b} during the storm since _ had been through one before.",
        "{a} comforted {b} after the loss because _ was very sad.",
    ],
}
_WG_NAMES = list(_WG_CATS)
_WG_OBJECTS = ["suitcase", "trophy", "box", "vase", "table", "bottle", "laptop", "shelf", "bag", "drawer"]
_WG_EXTRA = [
    "Although it had been a long week,", "After thinking about it for a while,",
    "Even though nobody expected it,", "As everyone later agreed,",
]


def _winogrande_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        cat, lv, r = _WG_NAMES[int(topic[i])], int(level[i]), R[i]
        a, b = _pick(_NAMES, r[0]), _pick(_NAMES, r[0] + 1 + r[1] % 9)
        o1, o2 = _pick(_WG_OBJECTS, r[2]), _pick(_WG_OBJECTS, r[2] + 1 + r[3] % 7)
        sent = _pick(_WG_CATS[cat], r[4]).format(a=a, b=b, o1=o1, o2=o2)
        pre = " ".join(_pick(_WG_EXTRA, r[5] + e) for e in range(min(_n_extra(lv, r[6]), 3)))
        if pre:
            sent = f"{pre} {sent[0].lower() + sent[1:] if sent.startswith('The') else sent}"
        opt1, opt2 = (o1, o2) if "{o1}" in _pick(_WG_CATS[cat], r[4]) else (a, b)
        if "soup" in sent and "stew" in sent:
            opt1, opt2 = "the soup", "the stew"
        word = LEVELS[lv]
        out.append(f"Fill in the blank ({word} item): {sent}\nOption 1: {opt1}\nOption 2: {opt2}\nAnswer:")
    return out


_ARC_CATS = {
    "physics": "friction|gravity|magnetism|electric current|kinetic energy|sound vibrations",
    "chemistry": "physical changes|chemical reactions|mixtures|states of matter|dissolving salt|rusting iron",
    "biology": "cell division|inherited traits|the digestive system|plant roots|photosynthesis|adaptations",
    "earth science": "erosion|the water cycle|weathering of rocks|earthquakes|fossils|glaciers",
    "astronomy": "the phases of the Moon|seasons on Earth|the Sun's energy|planet orbits|day and night|tides",
    "ecology": "food webs|habitat loss|decomposers|invasive species|population growth|pollination",
}
_ARC_NAMES = list(_ARC_CATS)
_ARC_KW = [v.split("|") for v in _ARC_CATS.values()]
_ARC_STEMS = [
    "Which of the following best explains {a}?",
    "A class investigates {a}. Which observation best supports the idea that {a} affects {b}?",
    "A student wants to test how {a} changes {b}. Which procedure should the student use?",
    "Which statement about {a} is most accurate?",
    "Scientists study {a} over many years. Which conclusion is best supported by their data?",
]
_ARC_EXTRA = [
    "The student repeats the test three times.", "All other conditions are kept the same.",
    "The results are recorded in a data table.", "A second variable, {b}, is also measured.",
]
_ARC_OPTS = ["it increases", "it decreases", "it stays the same", "it depends on", "it is caused by", "it prevents"]


def _arc_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        k, lv, r = int(topic[i]), int(level[i]), R[i]
        kw = _ARC_KW[k]
        a, b = _pick(kw, r[0]), _pick(kw, r[0] + 1 + r[1] % 4)
        stem = _pick(_ARC_STEMS, r[2]).format(a=a, b=b)
        extras = " ".join(_pick(_ARC_EXTRA, r[3] + e).format(b=b) for e in range(_n_extra(lv, r[4])))
        opts = " ".join(f"({L}) {_pick(_ARC_OPTS, r[5] + q)} {_pick(kw, r[6] + 2 * q)}" for q, L in enumerate("ABCD"))
        word = LEVELS[lv]
        out.append(f"Science question ({word}, {_ARC_NAMES[k]}): {stem} {extras}".rstrip() + f"\n{opts}\nAnswer:")
    return out


_MBPP_CATS = {
    "strings": [("count_vowels", "count the vowels in a given string", "'programming'", "3"),
                ("reverse_words", "reverse the order of words in a sentence", "'hello big world'", "'world big hello'"),
                ("is_palindrome", "check whether a string is a palindrome", "'racecar'", "True"),
                ("remove_digits", "remove all digits from a string", "'a1b2c3'", "'abc'")],
    "lists": [("max_sublist", "find the sublist with the largest sum", "[[1, 2], [3, 4], [0]]", "[3, 4]"),
              ("rotate_list", "rotate a list to the right by k positions", "[1, 2, 3, 4], 1", "[4, 1, 2, 3]"),
              ("unique_items", "remove duplicates from a list while keeping the order", "[1, 2, 1, 3]", "[1, 2, 3]"),
              ("pair_sums", "find all pairs in a list that add up to a target", "[1, 2, 3, 4], 5", "[(1, 4), (2, 3)]")],
    "math": [("is_prime", "check whether a number is prime", "13", "True"),
             ("digit_sum", "compute the sum of the digits of an integer", "1234", "10"),
             ("nth_fibonacci", "find the n-th Fibonacci number", "10", "55"),
             ("gcd_of", "find the greatest common divisor of two integers", "12, 18", "6")],
    "dictionaries and sets": [("char_freq", "count the frequency of each character in a string", "'aab'", "{'a': 2, 'b': 1}"),
                              ("common_keys", "find the keys shared by two dictionaries", "{1: 2}, {1: 3}", "[1]"),
                              ("invert_dict", "invert a dictionary mapping keys to values", "{'a': 1}", "{1: 'a'}"),
                              ("set_difference", "find the elements in the first list but not the second", "[1, 2, 3], [2]", "[1, 3]")],
    "sorting and searching": [("kth_smallest", "find the k-th smallest element of an unsorted list", "[7, 2, 9, 4], 2", "4"),
                              ("binary_search", "search for a value in a sorted list using binary search", "[1, 3, 5, 7], 5", "2"),
                              ("sort_by_length", "sort a list of strings by their length", "['ccc', 'a', 'bb']", "['a', 'bb', 'ccc']"),
                              ("merge_sorted", "merge two sorted lists into one sorted list", "[1, 4], [2, 3]", "[1, 2, 3, 4]")],
    "bit manipulation": [("count_set_bits", "count the number of set bits in an integer", "7", "3"),
                         ("toggle_bits", "toggle all bits of a number except the first and last", "10", "12"),
                         ("is_power_of_two", "check whether a number is a power of two", "16", "True"),
                         ("xor_pairs", "find the xor of all pairs in a list", "[5, 9, 7], 3", "20")],
}
_MBPP_NAMES = list(_MBPP_CATS)
_MBPP_EXTRA = [
    "The function must run in linear time.", "Handle empty inputs and negative numbers.",
    "Do not use any imported modules.", "Return the result without modifying the input.",
    "The input may be very large, so avoid recursion.",
]


def _mbpp_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        cat, lv, r = _MBPP_NAMES[int(topic[i])], int(level[i]), R[i]
        fname, task, arg, res = _pick(_MBPP_CATS[cat], r[0])
        extras = " ".join(_pick(_MBPP_EXTRA, r[1] + e) for e in range(_n_extra(lv, r[2])))
        tests = "\n".join([f"assert {fname}({arg}) == {res}"] + [f"assert {fname}(...) is not None"] * min(lv, 2))
        word = LEVELS[lv]
        out.append(
            f"You are an expert Python programmer ({word} task).\nWrite a python function to {task}. {extras}".rstrip()
            + f"\nYour code should pass these tests:\n\n{tests}"
        )
    return out


_MT_CATS = {
    "writing": ["Compose an engaging travel blog post about a recent trip to {place}, highlighting cultural experiences and must-see attractions.",
                "Write a persuasive email to convince your introverted friend to volunteer as a guest speaker at {event}.",
                "Draft a professional letter to a supplier asking for feedback on a new {thing}."],
    "roleplay": ["Pretend yourself to be {persona} and explain how you would spend a day in {place}.",
                 "Act as a {persona} and respond to a customer who is unhappy with a {thing}.",
                 "Imagine you are {persona}. Describe your feelings when you first see {place}."],
    "reasoning": ["David has three sisters. Each of them has one brother. How many brothers does David have? Explain {how}.",
                  "If a train leaves {place} at noon and another follows an hour later at twice the speed, when do they meet? Explain {how}.",
                  "Which word does not belong with the others: tyre, steering wheel, car, engine? Explain {how}."],
    "math": ["The vertices of a triangle are at points (0, 0), (-1, 1), and (3, 3). What is the area of the triangle? Show {how}.",
             "Solve the inequality |x + 5| < 10 and count the integers in the solution. Show {how}.",
             "When a number is divided by 10 the remainder is 4. What is the remainder when twice the number is divided by 4? Show {how}."],
    "coding": ["Develop a Python program that reads all text files under a directory and returns the top-5 words with the most occurrences. Explain {how}.",
               "Write a C++ program to find the nth Fibonacci number using recursion, then improve it. Explain {how}.",
               "Implement a function to find the median of two sorted arrays of different sizes. Explain {how}."],
    "extraction": ["Extract the names, release years and directors from the following notes about {thing}s and return them as JSON.",
                   "Given these product reviews of a {thing}, rate each on a scale of 1 to 5 and return a list of integers.",
                   "Identify the countries, their capitals and the languages spoken in the following sentences about {place}."],
    "stem": ["Explain the process of {sci} and describe why it matters in everyday life.",
             "Describe how {sci} works and suggest an experiment a student could do to observe it.",
             "What are the key differences between {sci} and a closely related process? Give examples."],
    "humanities": ["Discuss the main ideas of {hum} and how they shaped modern society.",
                   "Provide insights into the correlation between {hum} and economic growth.",
                   "Evaluate the strengths and weaknesses of {hum} as a framework for public policy."],
}
_MT_NAMES = list(_MT_CATS)
_MT_FILL = dict(
    place=["Hawaii", "Kyoto", "Lisbon", "Nairobi", "Reykjavik", "Cusco"],
    event=["a local charity event", "a school fundraiser", "a community festival"],
    thing=["smartphone", "coffee machine", "novel", "film", "headset"],
    persona=["Sheldon from The Big Bang Theory", "a medieval knight", "a famous chef", "a ship captain", "Tony Stark"],
    how=["your reasoning", "each step", "the method you use"],
    sci=["photosynthesis", "nuclear fission", "natural selection", "superconductivity", "vaccination"],
    hum=["utilitarian ethics", "the Renaissance", "social contract theory", "minimalist art", "the Silk Road trade"],
)
_MT_EXTRA = [
    "Keep the answer under 200 words.", "Then rewrite your answer as a short poem.",
    "After answering, critique your own answer and improve it.", "Use exactly three bullet points.",
]


def _mtbench_texts(topic, level, R):
    out = []
    for i in range(topic.size):
        cat, lv, r = _MT_NAMES[int(topic[i])], int(level[i]), R[i]
        fill = {key: _pick(vals, r[1 + q]) for q, (key, vals) in enumerate(_MT_FILL.items())}
        q = _pick(_MT_CATS[cat], r[0]).format(**fill)
        extras = " ".join(_pick(_MT_EXTRA, r[9] + e) for e in range(min(_n_extra(lv, r[10]), 3)))
        out.append(f"{q} {extras}".rstrip() + f" (Difficulty: {LEVELS[lv]}.)")
    return out


# dataset -> (topic names, text builder)
TEXTS = {
    "mmlu": (_MMLU_NAMES, _mmlu_texts),
    "hellaswag": (_HS_NAMES, _hellaswag_texts),
    "gsm8k": (_GSM_TOPICS, _gsm_texts),
    "arc-challenge": (_ARC_NAMES, _arc_texts),
    "winogrande": (_WG_NAMES, _winogrande_texts),
    "mbpp": (_MBPP_NAMES, _mbpp_texts),
    "mt-bench": (_MT_NAMES, _mtbench_texts),
}


# ----- the simulated RAG set's queries -----------------------------------------------------
RAG_TOPICS = ["sports", "history", "media and art", "politics"]
_RAG_FILL = dict(
    event=["World Series", "Super Bowl", "Tour de France", "Wimbledon final", "Champions League final", "NBA Finals"],
    league=["NBA", "Premier League", "NFL", "MLB", "NHL"],
    team=["Lakers", "Yankees", "Real Madrid", "Chiefs", "Celtics", "Arsenal"],
    athlete=["Serena Williams", "Lionel Messi", "Usain Bolt", "Michael Phelps", "Simone Biles"],
    hevent=["the fall of the Berlin Wall", "the signing of the Magna Carta", "the French Revolution", "the moon landing", "the Battle of Hastings"],
    country=["France", "India", "Brazil", "Japan", "Canada", "Germany", "Mexico"],
    empire=["the Roman Empire", "the Ottoman Empire", "the Inca Empire", "the Byzantine Empire"],
    painting=["the Mona Lisa", "The Starry Night", "The Persistence of Memory", "Guernica", "The Night Watch"],
    film=["Casablanca", "The Godfather", "Jaws", "Spirited Away", "Parasite"],
    artist=["Taylor Swift", "Beyonce", "Bad Bunny", "Adele", "Kendrick Lamar"],
    office=["president", "prime minister", "head of state"],
    body=["Senate", "House of Commons", "European Parliament", "Supreme Court"],
    year=[str(y) for y in range(1985, 2021)],
)
_RAG_TEMPLATES = {
    ("sports", False): ["who won the {event} in {year}", "which team has won the most {league} titles",
                        "how many gold medals did {athlete} win in total", "when did the {team} last win a championship before {year}"],
    ("sports", True): ["who won the {event} in 2024", "latest {team} score this week", "who is currently leading the {league} standings",
                       "{athlete} latest news today", "current {league} MVP odds"],
    ("history", False): ["when did {hevent} happen", "who led {country} during world war 2", "why did {empire} collapse",
                         "what caused {hevent}"],
    ("history", True): ["new archaeological discovery in {country} 2024", "latest findings about {hevent} this month",
                        "which museum in {country} reopened this week", "{hevent} anniversary events 2024"],
    ("media and art", False): ["who painted {painting}", "who directed {film}", "what year was {film} released",
                               "which album won album of the year in {year}"],
    ("media and art", True): ["best picture winner oscars 2024", "box office top movie this weekend",
                              "{artist} latest album release date", "what is number one on the billboard 200 right now"],
    ("politics", False): ["who was the first {office} of {country}", "how is the {office} of {country} elected",
                          "what does the first amendment protect", "when did {country} gain independence"],
    ("politics", True): ["who is the current {office} of {country}", "latest polls 2024 {country} election",
                         "what did the {body} vote on this week", "current inflation rate in {country} 2024"],
}


def rag_texts(topic, timely, R):
    out = []
    keys = list(_RAG_FILL)
    for i in range(topic.size):
        t, ts, r = RAG_TOPICS[int(topic[i])], bool(timely[i]), R[i]
        fill = {k: _pick(_RAG_FILL[k], r[1 + q]) for q, k in enumerate(keys)}
        q = _pick(_RAG_TEMPLATES[(t, ts)], r[0]).format(**fill)
        out.append(q[0].upper() + q[1:] + ("?" if q.split()[0] in {"who", "which", "how", "what", "when", "why"} else ""))
    return out
