"""Unit tests of the statistics in train.py and drift.py on known values: PSI, the two-sample KS statistic and
its p-value (the Kolmogorov distribution's published values), binning, quantiles and the seeded split.
Run: python3 -m unittest discover -s samples/jobs/tests
"""

import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import drift  # noqa: E402
import train  # noqa: E402


class PsiTest(unittest.TestCase):
    def test_known_values(self):
        # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5) = 0.25 ln 2 + 0.25 ln 1.5
        self.assertAlmostEqual(drift.psi([0.5, 0.5], [0.25, 0.75]), 0.25 * math.log(2) + 0.25 * math.log(1.5), places=12)
        self.assertAlmostEqual(drift.psi([0.5, 0.5], [0.25, 0.75]), 0.274653, places=6)
        self.assertEqual(drift.psi([0.1] * 10, [0.1] * 10), 0.0)
        # symmetric in its arguments
        self.assertAlmostEqual(drift.psi([0.2, 0.3, 0.5], [0.4, 0.4, 0.2]), drift.psi([0.4, 0.4, 0.2], [0.2, 0.3, 0.5]), places=12)

    def test_smoothing_keeps_empty_bins_finite(self):
        self.assertEqual(drift.smoothed([0, 2, 8]), [0.5 / 11.5, 2.5 / 11.5, 8.5 / 11.5])
        self.assertTrue(math.isfinite(drift.psi(drift.smoothed([10, 0]), drift.smoothed([0, 10]))))

    def test_bins_put_a_value_on_an_edge_in_the_lower_bin(self):
        self.assertEqual(drift.bin_counts([0.5, 1.0, 1.5, 2.0, 9.0], [1.0, 2.0]), [2, 2, 1])
        self.assertEqual(train.bin_counts([0.5, 1.0, 1.5, 2.0, 9.0], [1.0, 2.0]), [2, 2, 1])


class KsTest(unittest.TestCase):
    def test_statistic(self):
        self.assertEqual(drift.ks_statistic([1, 2, 3], [4, 5, 6]), 1.0)
        self.assertEqual(drift.ks_statistic([1, 2, 3, 4], [4, 3, 2, 1]), 0.0)
        self.assertEqual(drift.ks_statistic([1, 2, 3, 4], [3, 4, 5, 6]), 0.5)
        self.assertAlmostEqual(drift.ks_statistic([1, 1, 2], [1, 2, 2]), 1 / 3, places=12)  # ties step together

    def test_kolmogorov_distribution(self):
        # Q(lambda) = P(K > lambda): the published table values, e.g. Q(1.358) = 0.05 and Q(1.628) = 0.01
        self.assertAlmostEqual(drift.kolmogorov_q(1.0), 0.26999967, places=7)
        self.assertAlmostEqual(drift.kolmogorov_q(0.5), 0.96394524, places=7)
        self.assertAlmostEqual(drift.kolmogorov_q(1.358), 0.05, places=3)
        self.assertAlmostEqual(drift.kolmogorov_q(1.628), 0.01, places=3)
        self.assertEqual(drift.kolmogorov_q(0.0), 1.0)

    def test_p_value(self):
        self.assertEqual(drift.ks_p_value(0.0, 100, 100), 1.0)
        # n = m = 100: ne = sqrt(50); lambda = (ne + 0.12 + 0.11/ne) * d
        ne = math.sqrt(50)
        self.assertAlmostEqual(drift.ks_p_value(0.2, 100, 100), drift.kolmogorov_q((ne + 0.12 + 0.11 / ne) * 0.2), places=12)
        self.assertLess(drift.ks_p_value(0.2, 100, 100), 0.05)
        self.assertGreater(drift.ks_p_value(0.1, 100, 100), 0.05)


class TrainPiecesTest(unittest.TestCase):
    def test_quantiles_interpolate_like_numpy(self):
        self.assertEqual(train.quantile([1.0, 2.0, 3.0, 4.0], 0.5), 2.5)
        self.assertAlmostEqual(train.quantile([1.0, 2.0, 3.0, 4.0, 5.0], 0.1), 1.4, places=12)

    def test_split_is_stratified_and_seeded(self):
        labels = [0] * 50 + [1] * 50 + [2] * 50
        tr, te = train.split(labels, 42)
        self.assertEqual((len(tr), len(te)), (120, 30))
        self.assertEqual([sum(1 for i in te if labels[i] == c) for c in range(3)], [10, 10, 10])
        self.assertEqual(sorted(tr + te), list(range(150)))
        self.assertEqual(train.split(labels, 42), (tr, te))
        self.assertNotEqual(train.split(labels, 7)[1], te)

    def test_softmax_and_baseline(self):
        self.assertAlmostEqual(sum(train.softmax([1000.0, 0.0, -5.0])), 1.0, places=12)
        b = train.feature_baseline("x", [float(v) for v in range(1, 11)])
        self.assertEqual(b["edges"], [1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1])
        self.assertEqual(b["proportions"], [0.1] * 10)
        self.assertEqual(b["sorted"], [float(v) for v in range(1, 11)])


if __name__ == "__main__":
    unittest.main()
